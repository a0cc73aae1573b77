import type { DataSourceOptions } from 'typeorm';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';

/** The one description of keyfleet's database: entities, migrations, never `synchronize`. */
export function dataSourceOptions(
  databaseUrl: string,
  overrides: Partial<DataSourceOptions> = {},
): DataSourceOptions {
  return {
    type: 'postgres',
    url: databaseUrl,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    synchronize: false,
    migrationsRun: false,
    // A Postgres that does not answer (down host, dropped packets) fails a query within 10 s instead of the
    // system's TCP timeout (minutes): routes answer 503 and the caches serve what they hold.
    extra: { max: 20, connectionTimeoutMillis: 10_000 },
    ...overrides,
  } as DataSourceOptions;
}
