import type { SimStats } from '@keyfleet/testing';
import { BENCH_MODEL, startBenchStack } from '../bench-stack';
import { call } from './pool-dispatch';

/** (l): the same 5,000-item batch in the live lane and in the economy lane (Google's Batch Mode). */
export interface LanesResult {
  items: number;
  /** The simulator's Batch Mode turnaround (Google: up to 24 h), on its short clock. */
  simTurnaroundSeconds: number;
  live: LaneRun;
  economy: LaneRun & { batchModeJobs: number; overheadSeconds: number };
  /** economy cost / live cost, as keyfleet recorded them (its accounting). */
  costRatio: number;
  /** The same, as the simulator charged them (it rounds each request up to whole micro-dollars). */
  simCostRatio: number;
}

interface LaneRun {
  makespanSeconds: number;
  /** What keyfleet recorded (GET /admin/v1/usage?groupBy=batch, US dollars). */
  costUsd: number;
  /** What the simulator charged (US dollars). */
  simCostUsd: number;
  succeeded: number;
  estimatedSavingUsd: number | null;
}

interface BatchView {
  id: string;
  status: string;
  createdAt: string;
  completedAt: string | null;
  estimatedSavingUsd: number | null;
  counts: { succeeded: number };
}

const ITEMS = 5000;
const TURNAROUND_MS = 30_000;

export async function runLanes(): Promise<LanesResult> {
  const stack = await startBenchStack({
    pool: ['bench-l1', 'bench-l2', 'bench-l3'].map((name) => ({ name, rpm: 1000, tpm: 4_000_000 })),
    latencyMs: { min: 200, max: 800 },
    workers: 1,
    batchMode: { pendingMs: 1000, turnaroundMs: TURNAROUND_MS },
    env: { KF_BATCH_MODE_POLL_MS: '1000', KF_BATCH_MODE_POLL_MAX_MS: '5000' },
  });
  try {
    const run = async (lane: string) => {
      await stack.sim.resetStats();
      const batch = await submit(stack.url, stack.clientKey, lane);
      const done = await untilDone(stack.url, stack.clientKey, batch.id);
      const stats = await stack.sim.stats();
      return {
        makespanSeconds: (Date.parse(done.completedAt ?? '') - Date.parse(done.createdAt)) / 1000,
        costUsd: await recordedCostUsd(stack.url, stack.adminToken, batch.id),
        simCostUsd: spentMicros(stats) / 1e6,
        succeeded: done.counts.succeeded,
        estimatedSavingUsd: batch.estimatedSavingUsd,
        batchModeJobs: stats.totals.batchMode.jobsCreated,
      };
    };
    const { batchModeJobs: _none, ...live } = await run('live');
    const economy = await run('economy');
    return {
      items: ITEMS,
      simTurnaroundSeconds: TURNAROUND_MS / 1000,
      live,
      economy: { ...economy, overheadSeconds: economy.makespanSeconds - TURNAROUND_MS / 1000 },
      costRatio: economy.costUsd / live.costUsd,
      simCostRatio: economy.simCostUsd / live.simCostUsd,
    };
  } finally {
    await stack.stop();
  }
}

function submit(url: string, clientKey: string, lane: string): Promise<BatchView> {
  return call<BatchView>(`${url}/v1/batches`, clientKey, 'POST', {
    model: BENCH_MODEL,
    lane,
    requests: Array.from({ length: ITEMS }, (_, i) => ({
      key: `l-${i}`,
      request: {
        contents: [{ role: 'user', parts: [{ text: `(l) question ${i}: what is ${i} squared?` }] }],
      },
    })),
  });
}

async function untilDone(url: string, clientKey: string, id: string): Promise<BatchView> {
  for (;;) {
    const batch = await call<BatchView>(`${url}/v1/batches/${id}`, clientKey, 'GET');
    if (batch.status === 'completed') return batch;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The batch's cost as keyfleet's accounting recorded it (US dollars). */
async function recordedCostUsd(url: string, adminToken: string, batchId: string): Promise<number> {
  // Batch items are recorded with their results: complete once the batch is.
  const report = await call<{ rows: Array<{ batchId: string; costMicroUsd: string | number }> }>(
    `${url}/admin/v1/usage?groupBy=batch`,
    adminToken,
    'GET',
  );
  return Number(report.rows.find((row) => row.batchId === batchId)?.costMicroUsd ?? 0) / 1e6;
}

/** Everything the simulator charged (interactive and Batch Mode; stats were reset before the run). */
function spentMicros(stats: SimStats): number {
  return Object.values(stats.spend).reduce((sum, scope) => sum + scope.admittedMicros, 0);
}
