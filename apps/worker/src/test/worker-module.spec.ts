import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Server } from 'node:http';
import { startHealthServer } from '@keyfleet/observability';
import { ProjectsService, UpstreamKeysService } from '@keyfleet/registry';
import { createTestDatabase, testConfig, type TestDatabase } from '@keyfleet/testing';
import { DispatchLoops } from '../dispatch/dispatch-loops';
import { WorkerModule } from '../worker.module';
import { eventually } from './http-helpers';

describe('WorkerModule: boots as an application context with health, and follows the served models', () => {
  let db: TestDatabase;
  let app: INestApplicationContext;
  let health: { server: Server; port: number };

  beforeAll(async () => {
    db = await createTestDatabase();
    const config = testConfig({ DATABASE_URL: db.url, KF_LOG_LEVEL: 'error' });
    app = await NestFactory.createApplicationContext(
      WorkerModule.forRoot(config, { timing: { modelsRefreshMs: 100, reconcileEveryMs: 60_000 } }),
      { logger: false },
    );
    await app.init();
    health = await startHealthServer(app, 0);
  });

  afterAll(async () => {
    health?.server.close();
    await app?.close();
    await db?.drop();
  });

  it('answers /healthz and /readyz (Postgres and Redis up)', async () => {
    const live = await fetch(`http://127.0.0.1:${health.port}/healthz`);
    expect(live.status).toBe(200);
    const ready = await fetch(`http://127.0.0.1:${health.port}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ok' });
  });

  it('starts a dispatcher per served model once a project with a key serves it, and stops it when none does', async () => {
    const workers = app.get(DispatchLoops);
    expect(workers.models()).toEqual([]);
    const project = await app
      .get(ProjectsService)
      .create(
        { name: 'p', limits: { 'gemini-2.5-pro': { rpm: 5, tpm: 1000, rpd: 100, tpd: null } } },
        'test',
      );
    const key = await app.get(UpstreamKeysService).add(project.id, 'AQ.AWorkerModuleSpecKey0001', 'test');
    await eventually(
      () => Promise.resolve(workers.models().includes('gemini-2.5-pro') ? true : undefined),
      10_000,
    );
    await app.get(UpstreamKeysService).takeOutOfService(key.id, 'test', 'test');
    await eventually(() => Promise.resolve(workers.models().length === 0 ? true : undefined), 10_000);
  });
});
