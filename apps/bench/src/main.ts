// `npm run bench`: keyfleet against the Gemini simulator (rolling-window mode). Prints a table and writes
// bench-results/latest.json. Scenarios: (a) pool dispatch, (d) quota engine alone, (e) 50,000-item ingest.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import {
  findRepoRoot,
  spawnSimulator,
  startApp,
  stopApp,
  waitReady,
  type RunningProcess,
} from '@keyfleet/testing';
import { runEngineThroughput } from './scenarios/engine-throughput';
import { runIngest } from './scenarios/ingest';
import {
  idealMakespanSeconds,
  registerPool,
  runPoolDispatch,
  type PoolProject,
} from './scenarios/pool-dispatch';

const MODEL = 'gemini-2.5-flash';
const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const DATABASE_URL = process.env['BENCH_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/keyfleet_bench';
const PORT = process.env['BENCH_PORT'] ?? '18180';
const LATENCY = { min: 300, max: 800 };
const POOL_A: PoolProject[] = [30, 60, 120, 240].map((rpm, i) => ({
  name: `bench-a${i + 1}`,
  rpm,
  tpm: 4_000_000,
}));

async function dropDatabase(): Promise<void> {
  const { Client } = await import('pg');
  const url = new URL(DATABASE_URL);
  const name = url.pathname.slice(1);
  url.pathname = '/postgres';
  const admin = new Client({ connectionString: url.toString() });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.end();
}

async function deleteKeys(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await redis.unlink(...keys);
  } while (cursor !== '0');
  await redis.quit();
}

async function main(): Promise<void> {
  await dropDatabase();
  const prefix = `kf-bench-${Date.now()}`;
  const sim = await spawnSimulator({
    windowMode: 'rolling',
    latencyMs: LATENCY,
    projects: POOL_A.map((p) => ({
      id: p.name,
      tier: 'paid',
      limits: { [MODEL]: { rpm: p.rpm, tpm: p.tpm, rpd: 100_000 } },
    })),
  });
  const env = {
    DATABASE_URL,
    REDIS_URL,
    GEMINI_BASE_URL: sim.url,
    KF_ADMIN_TOKEN: `bench-${randomBytes(12).toString('hex')}`,
    KF_MASTER_KEY: randomBytes(32).toString('base64'),
    KF_QUEUE_PREFIX: prefix,
    KF_LOG_LEVEL: 'warn',
    PORT,
    KF_HEALTH_PORT: '0',
    // Waiting items hold no slot (they are delayed jobs); in-flight ones do, for the upstream latency.
    // 450 RPM at up to 0.8 s latency needs a few hundred slots to send a whole minute's room at once.
    KF_WORKER_CONCURRENCY: '256',
  };
  const apps: RunningProcess[] = [];
  const results: Record<string, unknown> = {
    at: new Date().toISOString(),
    simulator: { windowMode: 'rolling', latencyMs: LATENCY },
  };
  try {
    apps.push(startApp('api', env));
    const url = `http://127.0.0.1:${PORT}`;
    await waitReady(`${url}/readyz`, apps[0]);
    const worker = startApp('worker', { ...env, KF_RUN_MIGRATIONS: 'false' });
    apps.push(worker);
    const stack = { url, adminToken: env.KF_ADMIN_TOKEN, sim };
    const clientKey = await registerPool(stack, MODEL, POOL_A);

    console.log('(a) 900 requests, 4 projects at RPM 30/60/120/240, latency 300-800 ms, one worker …');
    const requests = Array.from({ length: 900 }, (_, i) => ({
      key: `a-${i}`,
      request: { contents: [{ role: 'user', parts: [{ text: `bench request ${i}` }] }] },
    }));
    const ideal = idealMakespanSeconds(
      requests.map(() => 5),
      POOL_A,
      (LATENCY.min + LATENCY.max) / 2,
    );
    const a = await runPoolDispatch(stack, clientKey, MODEL, POOL_A, requests, ideal);
    results['a'] = a;
    console.log(
      `    delivered ${a.delivered}/900, upstream 429s ${a.upstream429}, makespan ${a.makespanSeconds.toFixed(1)} s vs ideal ${a.idealSeconds.toFixed(1)} s (${a.ratio.toFixed(3)}×)`,
    );
    console.table(a.perProject);

    await stopApp(worker);
    console.log('(e) ingest: one 50,000-item NDJSON batch accepted (stored and enqueued) …');
    const e = await runIngest(url, clientKey, MODEL, 50_000);
    results['e'] = e;
    console.log(
      `    ${e.items} items (${(e.bytes / 1e6).toFixed(1)} MB) accepted in ${e.seconds.toFixed(2)} s`,
    );
  } finally {
    await Promise.all(apps.map(stopApp));
    await sim.stop();
    await deleteKeys(prefix);
  }

  console.log('(d) quota engine alone: reservations/s on one Redis, 8 candidate projects, 64 in flight …');
  const d = await runEngineThroughput({
    redisUrl: REDIS_URL,
    durationMs: 5000,
    concurrency: 64,
    projects: 8,
  });
  results['d'] = d;
  console.log(
    `    ${Math.round(d.reservationsPerSecond)} reservations/s (p50 ${d.p50Ms.toFixed(2)} ms, p99 ${d.p99Ms.toFixed(2)} ms)`,
  );

  const dir = path.join(findRepoRoot(), 'bench-results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nwritten to bench-results/latest.json`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
