// Applies pending migrations to DATABASE_URL (creating the database if needed).
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../data-source-options';
import { ensureDatabase, runMigrations } from '../migrate';

async function main(): Promise<void> {
  const url = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/keyfleet';
  await ensureDatabase(url);
  const dataSource = await new DataSource(dataSourceOptions(url)).initialize();
  try {
    const applied = await runMigrations(dataSource);
    console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'No pending migrations.');
  } finally {
    await dataSource.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
