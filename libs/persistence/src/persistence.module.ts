import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { KeyfleetConfig } from '@keyfleet/config';
import { dataSourceOptions } from './data-source-options';
import { ENTITIES } from './entities';
import { ensureDatabase, runMigrations } from './migrate';

/** TypeORM for a process: connects, and (unless KF_RUN_MIGRATIONS=false) brings the schema up to date. */
@Module({})
export class PersistenceModule {
  static forRoot(config: KeyfleetConfig): DynamicModule {
    return {
      module: PersistenceModule,
      global: true,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: () => dataSourceOptions(config.databaseUrl),
          dataSourceFactory: async (options) => {
            if (config.runMigrations) await ensureDatabase(config.databaseUrl);
            const dataSource = await new DataSource(options!).initialize();
            if (config.runMigrations) await runMigrations(dataSource);
            return dataSource;
          },
        }),
        TypeOrmModule.forFeature(ENTITIES),
      ],
      exports: [TypeOrmModule],
    };
  }
}
