import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions, runMigrations } from '@keyfleet/persistence';

export const TEST_PG_URL =
  process.env['TEST_DATABASE_ADMIN_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  url: string;
  name: string;
  /** A migrated DataSource on the database (opened lazily, closed by drop()). */
  dataSource(): Promise<DataSource>;
  drop(): Promise<void>;
}

async function admin<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: TEST_PG_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A fresh, migrated Postgres database of its own for one test file; drop() removes it. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `kf_test_${randomBytes(6).toString('hex')}`;
  await admin((client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(TEST_PG_URL);
  url.pathname = `/${name}`;
  let opened: DataSource | undefined;
  const open = async () => {
    if (!opened) {
      opened = await new DataSource(dataSourceOptions(url.toString(), { extra: { max: 5 } })).initialize();
      await runMigrations(opened);
    }
    return opened;
  };
  await open();
  return {
    url: url.toString(),
    name,
    dataSource: open,
    drop: async () => {
      if (opened?.isInitialized) await opened.destroy();
      await admin((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}
