import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import Redis from 'ioredis';
import { QuotaEngine, type ProjectLimits } from '@keyfleet/quota';
import { deleteRedisKeys } from '@keyfleet/testing';

export interface EngineThroughputOptions {
  redisUrl: string;
  durationMs: number;
  /** Reservations in flight at once. */
  concurrency: number;
  /** Candidate projects per reservation. */
  projects: number;
}

export interface EngineThroughputResult {
  reservationsPerSecond: number;
  total: number;
  p50Ms: number;
  p99Ms: number;
}

const CONNECTIONS = 4;
const MODEL = 'bench-model';

/**
 * Reservations per second one Redis sustains: limits so large that every call reserves, `concurrency`
 * loops over a few auto-pipelined connections, each call choosing among `projects` candidates.
 */
export async function runEngineThroughput(opts: EngineThroughputOptions): Promise<EngineThroughputResult> {
  const prefix = `kf-bench-${randomUUID()}`;
  const clients = Array.from(
    { length: Math.min(CONNECTIONS, opts.concurrency) },
    () => new Redis(opts.redisUrl, { enableAutoPipelining: true }),
  );
  const engines = clients.map((client) => new QuotaEngine(client, { prefix }));
  const candidates: ProjectLimits[] = Array.from({ length: opts.projects }, (_, i) => ({
    projectId: `bench-project-${i}`,
    rpm: 1_000_000_000,
    tpm: 1_000_000_000_000,
    rpd: null,
    tpd: null,
  }));
  try {
    const latencies: number[] = [];
    const started = performance.now();
    const deadline = started + opts.durationMs;
    const loop = async (engine: QuotaEngine) => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        const result = await engine.reserve({ model: MODEL, estimatedTokens: 100, candidates });
        if (result.kind !== 'reserved') throw new Error(`bench reservation was not admitted: ${result.kind}`);
        latencies.push(performance.now() - t0);
      }
    };
    await Promise.all(Array.from({ length: opts.concurrency }, (_, i) => loop(engines[i % engines.length])));
    const elapsedMs = performance.now() - started;
    latencies.sort((a, b) => a - b);
    return {
      reservationsPerSecond: Math.round((latencies.length / elapsedMs) * 1000),
      total: latencies.length,
      p50Ms: round(percentile(latencies, 0.5)),
      p99Ms: round(percentile(latencies, 0.99)),
    };
  } finally {
    await deleteRedisKeys(clients[0], `${prefix}:*`);
    for (const client of clients) client.disconnect();
  }
}

function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
