import { Test } from '@nestjs/testing';
import type { INestApplicationContext } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { ConfigModule, type KeyfleetConfig } from '@keyfleet/config';
import { PersistenceModule } from '@keyfleet/persistence';
import { createTestDatabase, testConfig, type TestDatabase } from '@keyfleet/testing';
import { RegistryModule } from '../registry.module';
import { ClockModule, type Clock } from '../shared/clock';

export interface PeerOptions {
  /** Its caches' time (a ManualClock), instead of the system's. */
  clock?: Clock;
  /** Its own way to the database (through a TcpProxy, to cut it). */
  databaseUrl?: string;
}

export interface RegistryHarness {
  db: TestDatabase;
  config: KeyfleetConfig;
  app: INestApplicationContext;
  sql: DataSource;
  /** Another "process" on the same database and master key (its own caches). */
  openPeer(options?: PeerOptions): Promise<INestApplicationContext>;
  close(): Promise<void>;
}

export async function bootRegistry(env: Record<string, string> = {}): Promise<RegistryHarness> {
  const db = await createTestDatabase();
  const config = testConfig({ DATABASE_URL: db.url, KF_RUN_MIGRATIONS: 'false', ...env });
  const contexts: INestApplicationContext[] = [];
  const open = async (options: PeerOptions = {}) => {
    const own = options.databaseUrl ? { ...config, databaseUrl: options.databaseUrl } : config;
    const moduleRef = await Test.createTestingModule({
      imports: [
        ConfigModule.forRoot(own),
        PersistenceModule.forRoot(own),
        ClockModule.forRoot(options.clock),
        RegistryModule,
      ],
    }).compile();
    const app = await moduleRef.init();
    contexts.push(app);
    return app;
  };
  const app = await open();
  return {
    db,
    config,
    app,
    sql: await db.dataSource(),
    openPeer: open,
    close: async () => {
      for (const context of contexts) await context.close();
      await db.drop();
    },
  };
}
