import { startPrivateRedis } from '@keyfleet/testing';
import { BENCH_MODEL, startBenchStack } from '../bench-stack';

const ITEMS = 1_000_000;
const PER_BATCH = 100_000;

export interface BacklogMemoryResult {
  waitingItems: number;
  redisBytesBefore: number;
  redisBytesAfter: number;
  bytesPerWaitingItem: number;
  submitSeconds: number;
}

async function usedMemory(client: { info(section: string): Promise<string> }): Promise<number> {
  const info = await client.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? NaN);
}

/**
 * (n) Redis memory per waiting item with a 1,000,000-item backlog, on a Redis of its own: the api
 * takes the items (ten NDJSON batches of 100,000), a worker dispatches from a pool far too small to make
 * a dent (10 RPM), and Redis' used_memory is read before and after.
 */
export async function runBacklogMemory(): Promise<BacklogMemoryResult> {
  const redis = await startPrivateRedis();
  const stack = await startBenchStack({
    pool: [{ name: 'bench-n1', rpm: 10, tpm: 1_000_000 }],
    latencyMs: { min: 300, max: 800 },
    workers: 1,
    redisUrl: redis.url,
  });
  try {
    await new Promise((resolve) => setTimeout(resolve, 2000)); // the worker settles (scripts, leases)
    const before = await usedMemory(redis.client);
    const started = performance.now();
    for (let batch = 0; batch < ITEMS / PER_BATCH; batch++) {
      const lines = Array.from({ length: PER_BATCH }, (_, i) =>
        JSON.stringify({
          key: `n-${batch}-${i}`,
          request: { contents: [{ role: 'user', parts: [{ text: `backlog item ${batch}-${i}` }] }] },
        }),
      );
      const response = await fetch(`${stack.url}/v1/batches?model=${BENCH_MODEL}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${stack.clientKey}`, 'content-type': 'application/x-ndjson' },
        body: lines.join('\n'),
      });
      if (response.status !== 202)
        throw new Error(`submit answered ${response.status}: ${await response.text()}`);
    }
    const submitSeconds = (performance.now() - started) / 1000;
    await new Promise((resolve) => setTimeout(resolve, 5000)); // dispatch rounds over the whole backlog
    const after = await usedMemory(redis.client);
    return {
      waitingItems: ITEMS,
      redisBytesBefore: before,
      redisBytesAfter: after,
      bytesPerWaitingItem: (after - before) / ITEMS,
      submitSeconds,
    };
  } finally {
    await stack.stop();
    await redis.stop();
  }
}
