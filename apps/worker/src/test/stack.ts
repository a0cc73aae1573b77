import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { KeyfleetConfig } from '@keyfleet/config';
import { createRedis } from '@keyfleet/queue';
import {
  createTestDatabase,
  deleteRedisKeys,
  spawnSimulator,
  testConfig,
  type SimConfig,
  type SpawnedSimulator,
  type TestDatabase,
} from '@keyfleet/testing';
// The end-to-end tests span both processes, the api and the worker, as the issue asks: booting the
// api in-process from the worker's tests is the one place an app reaches into another app.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { createApiApp } from '../../../api/src/create-api-app';
import type { DispatchTiming } from '../dispatch/dispatch-timing';
import { WorkerModule } from '../worker.module';
import { admin } from './http-helpers';

export const MODEL = 'gemini-2.5-flash';

/** Fast waits so that retries and quota waits happen within a test. */
export const TEST_TIMING: Partial<DispatchTiming> = {
  retryBaseMs: 50,
  retryMaxMs: 200,
  quotaWaitMs: 200,
  noCapacityWaitMs: 200,
  idleCheckMs: 200,
  modelsRefreshMs: 200,
  reconcileEveryMs: 60_000,
  // Short, but far above the event-loop stalls of a test process carrying thousands of calls.
  leaseRenewMs: 250,
  leaseMs: 3000,
  recoverEveryMs: 250,
  drainMs: 2000,
};

/** The simulator, a database, the api listening on a free port, and (once started) a worker, all real. */
export interface Stack {
  sim: SpawnedSimulator;
  db: TestDatabase;
  config: KeyfleetConfig;
  api: NestExpressApplication;
  apiUrl: string;
  worker: INestApplicationContext | undefined;
  startWorker(timing?: Partial<DispatchTiming>): Promise<INestApplicationContext>;
  close(): Promise<void>;
}

export async function startStack(sim: SimConfig, env: Record<string, string> = {}): Promise<Stack> {
  const simulator = await spawnSimulator(sim);
  const db = await createTestDatabase();
  const config = testConfig({
    DATABASE_URL: db.url,
    GEMINI_BASE_URL: simulator.url,
    KF_LOG_LEVEL: 'error',
    ...env,
  });
  const api = await createApiApp(config);
  await api.listen(0, '127.0.0.1');
  const stack: Stack = {
    sim: simulator,
    db,
    config,
    api,
    apiUrl: await api.getUrl(),
    worker: undefined,
    startWorker: async (timing = TEST_TIMING) => {
      const worker = await NestFactory.createApplicationContext(WorkerModule.forRoot(config, { timing }), {
        logger: false,
      });
      await worker.init();
      stack.worker = worker;
      return worker;
    },
    close: async () => {
      await stack.worker?.close();
      await api.close();
      await simulator.stop();
      await db.drop();
      const redis = createRedis(config.redisUrl);
      await deleteRedisKeys(redis, `${config.queuePrefix}:*`);
      await redis.quit();
    },
  };
  return stack;
}

/** Registers a project serving MODEL with generous limits, and its keys, through the admin API. */
export async function registerProject(
  apiUrl: string,
  name: string,
  secrets: string[],
): Promise<{ id: string; keyIds: string[] }> {
  const project = await admin<{ id: string }>(apiUrl, 'POST', '/projects', {
    name,
    limits: { [MODEL]: { rpm: 1000, tpm: 1_000_000, rpd: 100_000 } },
  });
  const keyIds: string[] = [];
  for (const secret of secrets)
    keyIds.push((await admin<{ id: string }>(apiUrl, 'POST', `/projects/${project.id}/keys`, { secret })).id);
  return { id: project.id, keyIds };
}

/** Creates a client through the admin API and returns its `kf_…` key (shown once). */
export async function registerClient(apiUrl: string, name: string): Promise<string> {
  const created = await admin(apiUrl, 'POST', '/clients', { name, allowedIps: ['127.0.0.1/32', '::1/128'] });
  const key = findClientKey(created);
  if (!key) throw new Error(`no kf_ key in ${JSON.stringify(created)}`);
  return key;
}

function findClientKey(value: unknown): string | undefined {
  if (typeof value === 'string') return value.startsWith('kf_') ? value : undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  for (const entry of Object.values(value)) {
    const found = findClientKey(entry);
    if (found) return found;
  }
  return undefined;
}

/** The sim's project config: generous limits, the given keys. */
export function simProject(id: string, keys: string[]) {
  return {
    id,
    tier: 'paid' as const,
    limits: { [MODEL]: { rpm: 1000, tpm: 1_000_000, rpd: 100_000 } },
    keys,
  };
}

/** A request whose answer the sim derives from its prompt. */
export function promptRequest(text: string) {
  return { contents: [{ role: 'user', parts: [{ text }] }] };
}
