import { randomBytes } from 'node:crypto';
import { startApp, stopApp, waitReady, type RunningProcess } from './app-process';
import { freePort } from './free-port';
import { spawnSimulator, type SimConfig, type SpawnedSimulator } from './simulator';
import { TEST_ADMIN_TOKEN, TEST_REDIS_URL, uniquePrefix } from './test-config';
import { createTestDatabase, type TestDatabase } from './test-database';

/** keyfleet as it runs in production: the simulator, and api and worker as processes of their own. */
export interface ProcessStack {
  sim: SpawnedSimulator;
  db: TestDatabase;
  apiUrl: string;
  /** The workers' health servers (`/metrics`, `/readyz`). */
  workerUrls: string[];
  /** The environment every process got (KF_ADMIN_TOKEN, KF_QUEUE_PREFIX, …). */
  env: Record<string, string>;
  /** An admin API call that must succeed. */
  admin<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T>;
  /** A client with a `kf_` key allowed from loopback. */
  newClient(name: string): Promise<string>;
  close(): Promise<void>;
}

export async function startProcessStack(
  simConfig: SimConfig,
  options: { workers?: number; env?: Record<string, string> } = {},
): Promise<ProcessStack> {
  const sim = await spawnSimulator(simConfig);
  const db = await createTestDatabase();
  const apiPort = await freePort();
  const env: Record<string, string> = {
    DATABASE_URL: db.url,
    REDIS_URL: TEST_REDIS_URL,
    GEMINI_BASE_URL: sim.url,
    KF_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    KF_MASTER_KEY: randomBytes(32).toString('base64'),
    KF_QUEUE_PREFIX: uniquePrefix('kf-stack'),
    KF_LOG_LEVEL: 'warn',
    KF_RUN_MIGRATIONS: 'false',
    PORT: String(apiPort),
    ...options.env,
  };
  const processes: RunningProcess[] = [];
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const workerUrls: string[] = [];
  const close = async () => {
    await Promise.all(processes.map(stopApp));
    await sim.stop();
    await db.drop();
  };
  try {
    processes.push(startApp('api', env));
    await waitReady(`${apiUrl}/readyz`, processes[0]);
    for (let i = 0; i < (options.workers ?? 1); i++) {
      const port = await freePort();
      const worker = startApp('worker', { ...env, KF_HEALTH_PORT: String(port) });
      processes.push(worker);
      workerUrls.push(`http://127.0.0.1:${port}`);
      await waitReady(`http://127.0.0.1:${port}/readyz`, worker);
    }
  } catch (error) {
    await close();
    throw error;
  }
  const admin = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${apiUrl}/admin/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${env['KF_ADMIN_TOKEN']}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} → ${response.status}: ${text}`);
    return JSON.parse(text) as T;
  };
  return {
    sim,
    db,
    apiUrl,
    workerUrls,
    env,
    admin,
    newClient: async (name) =>
      (await admin<{ key: string }>('POST', '/clients', { name, allowedIps: ['127.0.0.0/8', '::1/128'] }))
        .key,
    close,
  };
}
