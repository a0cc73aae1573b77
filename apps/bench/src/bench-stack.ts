import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import {
  deleteRedisKeys,
  dropDatabaseAt,
  spawnSimulator,
  startApp,
  stopApp,
  waitReady,
  type RunningProcess,
  type SimBatchModeConfig,
  type SpawnedSimulator,
} from '@keyfleet/testing';
import { registerPool, type PoolProject } from './scenarios/pool-dispatch';

export const BENCH_MODEL = 'gemini-2.5-flash';
export const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
export const DATABASE_URL =
  process.env['BENCH_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/keyfleet_bench';
export const PORT = process.env['BENCH_PORT'] ?? '18180';

export interface BenchStackOptions {
  pool: PoolProject[];
  latencyMs: { min: number; max: number };
  /** Worker processes to start (0 for api-only scenarios), each with the default settings. */
  workers: number;
  /** Extra environment for every keyfleet process. */
  env?: Record<string, string>;
  /** Another Redis than REDIS_URL (a private one, to read its memory). */
  redisUrl?: string;
  /** The spend window of the simulator and keyfleet (KF_SPEND_WINDOW_MS); default Google's 10 minutes. */
  spendWindowMs?: number;
  /** The simulator's Batch Mode clock and limits (the economy lane). */
  batchMode?: SimBatchModeConfig;
}

export interface BenchStack {
  url: string;
  adminToken: string;
  clientKey: string;
  sim: SpawnedSimulator;
  api: RunningProcess;
  workers: RunningProcess[];
  stop(): Promise<void>;
}

/**
 * A fresh simulator (rolling-window mode), database and queue prefix, the api and `workers` worker
 * processes, and the pool and one client registered through the admin API.
 */
export async function startBenchStack(options: BenchStackOptions): Promise<BenchStack> {
  await dropDatabase();
  const prefix = `kf-bench-${Date.now()}`;
  const sim = await spawnSimulator({
    windowMode: 'rolling',
    latencyMs: options.latencyMs,
    ...(options.spendWindowMs ? { spendWindowMs: options.spendWindowMs } : {}),
    ...(options.batchMode ? { batchMode: options.batchMode } : {}),
    projects: options.pool.map((p) => ({
      id: p.name,
      tier: 'paid',
      limits: { [BENCH_MODEL]: { rpm: p.rpm, tpm: p.tpm, rpd: 100_000 } },
      ...(p.spendLimitUsd === undefined ? {} : { spendLimitUsd: p.spendLimitUsd }),
    })),
  });
  const env = {
    DATABASE_URL,
    REDIS_URL: options.redisUrl ?? REDIS_URL,
    GEMINI_BASE_URL: sim.url,
    KF_ADMIN_TOKEN: `bench-${randomBytes(12).toString('hex')}`,
    KF_MASTER_KEY: randomBytes(32).toString('base64'),
    KF_QUEUE_PREFIX: prefix,
    KF_LOG_LEVEL: 'warn',
    PORT,
    KF_HEALTH_PORT: '0',
    ...(options.spendWindowMs ? { KF_SPEND_WINDOW_MS: String(options.spendWindowMs) } : {}),
    ...options.env,
  };
  const url = `http://127.0.0.1:${PORT}`;
  const api = startApp('api', env);
  const workers: RunningProcess[] = [];
  const stop = async () => {
    await Promise.all([api, ...workers].map(stopApp));
    await sim.stop();
    await deleteKeys(options.redisUrl ?? REDIS_URL, prefix);
  };
  try {
    await waitReady(`${url}/readyz`, api);
    // The pool first: a worker that starts after it dispatches the model from its first moment.
    const clientKey = await registerPool(
      { url, adminToken: env.KF_ADMIN_TOKEN, sim },
      BENCH_MODEL,
      options.pool,
    );
    for (let i = 0; i < options.workers; i += 1) {
      const healthPort = String(Number(PORT) + 10 + i);
      workers.push(startApp('worker', { ...env, KF_RUN_MIGRATIONS: 'false', KF_HEALTH_PORT: healthPort }));
      await waitReady(`http://127.0.0.1:${healthPort}/readyz`, workers[i]);
    }
    return { url, adminToken: env.KF_ADMIN_TOKEN, clientKey, sim, api, workers, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Drops the bench database, so every scenario starts from an empty one. */
export function dropDatabase(): Promise<void> {
  return dropDatabaseAt(DATABASE_URL);
}

async function deleteKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url);
  await deleteRedisKeys(redis, `${prefix}*`);
  await redis.quit();
}
