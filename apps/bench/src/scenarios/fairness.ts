import { Client } from 'pg';
import { BENCH_MODEL, DATABASE_URL, startBenchStack, type BenchStack } from '../bench-stack';
import { call, type PoolProject } from './pool-dispatch';

const POOL: PoolProject[] = [30, 60, 120, 240].map((rpm, i) => ({
  name: `bench-i${i + 1}`,
  rpm,
  tpm: 4_000_000,
}));
const POOL_RPM = POOL.reduce((sum, p) => sum + p.rpm, 0);
const LATENCY = { min: 300, max: 800 };
// keyfleet counts a request 61 s (the window plus its 1 s headroom).
const WINDOW_SECONDS = 61;

interface BatchBody {
  id: string;
  status: string;
  counts: { succeeded: number; failed: number };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function newClient(stack: BenchStack, name: string, weight = 1): Promise<string> {
  const created = await call<{ key: string }>(`${stack.url}/admin/v1/clients`, stack.adminToken, 'POST', {
    name,
    allowedIps: ['127.0.0.0/8', '::1/128'],
    weight,
  });
  return created.key;
}

async function submit(stack: BenchStack, key: string, label: string, count: number): Promise<string> {
  const requests = Array.from({ length: count }, (_, i) => ({
    key: `${label}-${i}`,
    request: { contents: [{ role: 'user', parts: [{ text: `${label} ${i}` }] }] },
  }));
  const batch = await call<BatchBody>(`${stack.url}/v1/batches`, key, 'POST', {
    model: BENCH_MODEL,
    requests,
  });
  return batch.id;
}

async function waitDone(stack: BenchStack, key: string, id: string): Promise<number> {
  for (;;) {
    const batch = await call<BatchBody>(`${stack.url}/v1/batches/${id}`, key, 'GET');
    if (batch.status === 'completed') return Date.now();
    await sleep(50);
  }
}

export interface SmallBehindBigResult {
  bItems: number;
  aItems: number;
  /** From B's submission to B completed. */
  bSeconds: number;
  /** The next window that frees after B arrives (A took the first), plus the slowest answer. */
  fairBoundSeconds: number;
  ratioToFairBound: number;
  /** What first come, first served would have given B: after all of A. */
  fifoSeconds: number;
}

/**
 * (i) Client A submits 2,250 items (five windows of the pool), client B 30 items 3 s later. B is due
 * its share of the next window that frees (it needs far less than half of it), not the end of A.
 */
export async function runSmallBehindBig(): Promise<SmallBehindBigResult> {
  const stack = await startBenchStack({ pool: POOL, latencyMs: LATENCY, workers: 1 });
  try {
    const keyA = stack.clientKey;
    const keyB = await newClient(stack, 'team-b');
    await stack.sim.resetStats();
    const aSubmitted = Date.now();
    const batchA = await submit(stack, keyA, 'a', 2250);
    await sleep(3000 - (Date.now() - aSubmitted));
    const bSubmitted = Date.now();
    const batchB = await submit(stack, keyB, 'b', 30);
    const bDone = await waitDone(stack, keyB, batchB);
    const firstSend = (await stack.sim.stats()).totals.firstAdmittedAt ?? aSubmitted;
    await call(`${stack.url}/v1/batches/${batchA}/cancel`, keyA, 'POST');
    const nextWindow = firstSend + WINDOW_SECONDS * 1000;
    const fairBoundSeconds = (nextWindow - bSubmitted + LATENCY.max) / 1000;
    const bSeconds = (bDone - bSubmitted) / 1000;
    const aWindows = Math.ceil(2250 / POOL_RPM);
    const fifoSeconds = (firstSend + aWindows * WINDOW_SECONDS * 1000 - bSubmitted + LATENCY.max) / 1000;
    return {
      bItems: 30,
      aItems: 2250,
      bSeconds,
      fairBoundSeconds,
      ratioToFairBound: bSeconds / fairBoundSeconds,
      fifoSeconds,
    };
  } finally {
    await stack.stop();
  }
}

export interface WeightedShareResult {
  weights: number[];
  /** Per 60 s window once the pool is saturated: items each client got, and Jain's index over weight-normalised shares. */
  windows: Array<{ taken: number[]; jain: number }>;
  minJain: number;
}

/**
 * Five backlogged clients with weights 1, 1, 1, 3, 3 share the pool for two windows: each should get
 * weight/9 of what the pool admits per window. Jain's index over (items / weight) is 1 when exact.
 */
export async function runWeightedShare(): Promise<WeightedShareResult> {
  const weights = [1, 1, 1, 3, 3];
  const stack = await startBenchStack({ pool: POOL, latencyMs: LATENCY, workers: 1 });
  const db = new Client({ connectionString: DATABASE_URL });
  await db.connect();
  try {
    const keys = await Promise.all(weights.map((weight, i) => newClient(stack, `team-${i}`, weight)));
    const total = weights.reduce((sum, w) => sum + w, 0);
    // Each client's backlog outlasts two windows at its share.
    const batches = await Promise.all(
      keys.map((key, i) => submit(stack, key, `w${i}`, Math.ceil((3 * POOL_RPM * weights[i]) / total))),
    );
    await sleep((2 * WINDOW_SECONDS + 3) * 1000);
    const { rows } = await db.query<{ batch_id: string; window: number; n: number }>(
      `WITH first AS (SELECT min(taken_at) AS t0 FROM batch_items WHERE batch_id = ANY($1::uuid[]))
         SELECT batch_id,
           -- Windows centred on each burst: a request booked ahead of its window's moment counts in it.
           floor((extract(epoch FROM taken_at - first.t0) + ${WINDOW_SECONDS / 2}) / ${WINDOW_SECONDS})::int AS window,
           count(*)::int AS n
         FROM batch_items, first WHERE batch_id = ANY($1::uuid[]) AND taken_at IS NOT NULL GROUP BY 1, 2`,
      [batches],
    );
    for (const [i, id] of batches.entries())
      await call(`${stack.url}/v1/batches/${id}/cancel`, keys[i], 'POST');
    const windows = [0, 1].map((window) => {
      const taken = batches.map((id) => rows.find((r) => r.batch_id === id && r.window === window)?.n ?? 0);
      return { taken, jain: jainIndex(taken.map((n, i) => n / weights[i])) };
    });
    return { weights, windows, minJain: Math.min(...windows.map((w) => w.jain)) };
  } finally {
    await db.end();
    await stack.stop();
  }
}

/** (Σx)² / (n Σx²): 1 when every x is equal, 1/n when one gets everything. */
export function jainIndex(values: number[]): number {
  const sum = values.reduce((a, b) => a + b, 0);
  const squares = values.reduce((a, b) => a + b * b, 0);
  return squares === 0 ? 1 : (sum * sum) / (values.length * squares);
}
