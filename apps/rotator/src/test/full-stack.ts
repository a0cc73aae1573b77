/* eslint-disable @nx/enforce-module-boundaries, @typescript-eslint/no-explicit-any -- the end-to-end tests run api, worker and rotator together and read JSON answers */
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { DataSource } from 'typeorm';
import type { KeyfleetConfig } from '@keyfleet/config';
import {
  createTestDatabase,
  spawnSimulator,
  TEST_ADMIN_TOKEN,
  testConfig,
  writeExternalAccountFile,
  type SimConfig,
  type SpawnedSimulator,
  type TestDatabase,
} from '@keyfleet/testing';
import { createApiApp } from '../../../api/src/create-api-app';
import { WorkerModule } from '../../../worker/src/worker.module';
import { RotatorModule } from '../rotator.module';
import { MODEL } from './rotator-harness';

export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

type Answer = { status: number; body: Record<string, any> };

/** api, worker and rotator in this process against one simulator and database, and a client to call with. */
export interface FullStack {
  sim: SpawnedSimulator;
  db: TestDatabase;
  sql: DataSource;
  config: KeyfleetConfig;
  rotator: INestApplicationContext;
  clientKey: string;
  http(method: string, path: string, token: string, json?: unknown): Promise<Answer>;
  admin(method: string, path: string, json?: unknown): Promise<Answer>;
  /** Submits `count` prompts `<tag> <i>` keyed `<tag>-<i>` as the client; returns the batch id. */
  submit(count: number, tag: string): Promise<string>;
  /** The batch once completed. */
  finished(batchId: string, timeoutMs?: number): Promise<Record<string, any>>;
  close(): Promise<void>;
}

export async function bootFullStack(simConfig: SimConfig): Promise<FullStack> {
  const sim = await spawnSimulator(simConfig);
  const db = await createTestDatabase();
  const config = testConfig({
    DATABASE_URL: db.url,
    GEMINI_BASE_URL: sim.url,
    GOOGLE_APIKEYS_BASE_URL: sim.url,
    GOOGLE_APPLICATION_CREDENTIALS: writeExternalAccountFile(sim.url),
    KF_EGRESS_IPS: '127.0.0.1',
    // Longer than the pool cache (2 s) plus the slowest request: nothing in flight outlives the drain.
    KF_ROTATION_GRACE_SECONDS: '4',
    // Three at a time (the safety cap), so that a batch is still running while keys change under it.
    KF_MAX_IN_FLIGHT: '3',
    KF_LOG_LEVEL: 'silent',
  });
  const api: NestExpressApplication = await createApiApp(config);
  await api.listen(0, '127.0.0.1');
  const apiUrl = (await api.getUrl()).replace('[::1]', '127.0.0.1');
  const rotator = await NestFactory.createApplicationContext(RotatorModule.forRoot(config), {
    logger: false,
  });
  await rotator.init();

  const http = async (method: string, path: string, token: string, json?: unknown): Promise<Answer> => {
    const response = await fetch(`${apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(json ? { 'content-type': 'application/json' } : {}) },
      body: json ? JSON.stringify(json) : undefined,
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as Record<string, any> };
  };
  const admin = (method: string, path: string, json?: unknown) =>
    http(method, `/admin/v1${path}`, TEST_ADMIN_TOKEN, json);
  const clientKey = (await admin('POST', '/clients', { name: 'team', allowedIps: ['127.0.0.1'] })).body
    .key as string;
  const worker = await NestFactory.createApplicationContext(
    WorkerModule.forRoot(config, {
      timing: { retryBaseMs: 50, retryMaxMs: 200, noCapacityWaitMs: 200, modelsRefreshMs: 200 },
    }),
    { logger: false },
  );
  await worker.init();

  return {
    sim,
    db,
    sql: await db.dataSource(),
    config,
    rotator,
    clientKey,
    http,
    admin,
    submit: async (count, tag) => {
      const requests = Array.from({ length: count }, (_, i) => ({
        key: `${tag}-${i}`,
        request: { contents: [{ role: 'user', parts: [{ text: `${tag} ${i}` }] }] },
      }));
      const created = await http('POST', '/v1/batches', clientKey, { model: MODEL, requests });
      if (created.status !== 202)
        throw new Error(`submit → ${created.status}: ${JSON.stringify(created.body)}`);
      return created.body.id as string;
    },
    finished: (batchId, timeoutMs = 60_000) =>
      eventually(async () => {
        const batch = (await http('GET', `/v1/batches/${batchId}`, clientKey)).body;
        return batch.status === 'completed' ? batch : undefined;
      }, timeoutMs),
    close: async () => {
      await worker.close();
      await rotator.close();
      await api.close();
      await sim.stop();
      await db.drop();
    },
  };
}
