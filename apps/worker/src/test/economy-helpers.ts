import type { DataSource } from 'typeorm';
import type { SimBatchModeConfig } from '@keyfleet/testing';
import { admin, call, eventually } from './http-helpers';
import { MODEL, promptRequest, registerClient, simProject, startStack, type Stack } from './stack';

/** Fast Batch Mode polling, and a turnaround the auto lane plans with that suits the sim's clock. */
export const ECONOMY_ENV = {
  KF_BATCH_MODE_POLL_MS: '150',
  KF_BATCH_MODE_POLL_MAX_MS: '600',
  KF_BATCH_MODE_TURNAROUND_MS: '20000',
};

export const PROJECT_KEYS = [
  'AQ.ASimKeyEconomyOne0001',
  'AQ.ASimKeyEconomyTwo0002',
  'AQ.ASimKeyEconomyThree003',
];
const LIMITS = { [MODEL]: { rpm: 30_000, tpm: 30_000_000, rpd: 1_000_000 } };

export interface EconomyBatchBody {
  id: string;
  status: string;
  lane: string;
  laneChosen: string;
  laneReason: string | null;
  estimatedSavingUsd: number | null;
  counts: Record<string, number>;
  createdAt: string;
  completedAt: string | null;
}

/** A stack whose sim runs Batch Mode on a short clock, with three projects of generous limits. */
export async function startEconomyStack(
  batchMode: SimBatchModeConfig,
): Promise<{ stack: Stack; clientKey: string; projectIds: string[] }> {
  const stack = await startStack(
    {
      latencyMs: { min: 1, max: 5 },
      batchMode,
      projects: PROJECT_KEYS.map((key, i) => ({ ...simProject(`sim-e${i + 1}`, [key]), limits: LIMITS })),
    },
    ECONOMY_ENV,
  );
  const projectIds: string[] = [];
  for (const [i, secret] of PROJECT_KEYS.entries()) {
    const project = await admin<{ id: string }>(stack.apiUrl, 'POST', '/projects', {
      name: `economy-${i + 1}`,
      limits: LIMITS,
    });
    await admin(stack.apiUrl, 'POST', `/projects/${project.id}/keys`, { secret });
    projectIds.push(project.id);
  }
  const clientKey = await registerClient(stack.apiUrl, 'team-economy');
  return { stack, clientKey, projectIds };
}

export const economyPrompt = (label: string, i: number) => `${label} question ${i}: what is ${i} times 7?`;

/** Submits `count` prompts in a lane (and deadline); returns the batch as the api answered. */
export async function submitInLane(
  stack: Stack,
  clientKey: string,
  label: string,
  count: number,
  lane: { lane: string; deadline?: string },
): Promise<EconomyBatchBody> {
  const answer = await call(`${stack.apiUrl}/v1/batches`, {
    token: clientKey,
    json: {
      model: MODEL,
      ...lane,
      requests: Array.from({ length: count }, (_, i) => ({
        key: `${label}-${i}`,
        request: promptRequest(economyPrompt(label, i)),
      })),
    },
  });
  if (answer.status !== 202) throw new Error(`submit → ${answer.status}: ${answer.text}`);
  return answer.body as EconomyBatchBody;
}

export async function batchOf(stack: Stack, clientKey: string, id: string): Promise<EconomyBatchBody> {
  return (await call(`${stack.apiUrl}/v1/batches/${id}`, { token: clientKey })).body as EconomyBatchBody;
}

/** Waits until the batch is no longer queued or running. */
export function finished(stack: Stack, clientKey: string, id: string, timeoutMs = 60_000) {
  return eventually(
    async () => {
      const batch = await batchOf(stack, clientKey, id);
      return batch.status === 'completed' || batch.status === 'cancelled' ? batch : undefined;
    },
    timeoutMs,
    200,
  );
}

/** The result lines, parsed. */
export async function resultsOf(stack: Stack, clientKey: string, id: string) {
  const answer = await call(`${stack.apiUrl}/v1/batches/${id}/results`, { token: clientKey });
  return answer.text
    .split('\n')
    .filter(Boolean)
    .map(
      (line) =>
        JSON.parse(line) as {
          key: string;
          response?: { candidates: Array<{ content: { parts: Array<{ text: string }> } }> };
          error?: unknown;
        },
    );
}

/** The batch's recorded cost per lane (micro-dollars), from accounting's usage records. */
export async function costByLane(dataSource: DataSource, batchId: string): Promise<Record<string, number>> {
  const rows: Array<{ lane: string; cost: string; n: number }> = await dataSource.query(
    `SELECT lane, sum(cost_micro_usd) AS cost, count(*)::int AS n FROM usage_records WHERE batch_id = $1 GROUP BY lane`,
    [batchId],
  );
  return Object.fromEntries(rows.map((row) => [row.lane, Number(row.cost)]));
}

/** The batch's Batch Mode jobs as keyfleet recorded them. */
export function jobRows(dataSource: DataSource, batchId: string) {
  return dataSource.query<
    Array<{
      name: string | null;
      state: string;
      project_id: string;
      first_line: number;
      last_line: number;
      settled: boolean;
      input_file: string | null;
    }>
  >(
    `SELECT name, state, project_id, first_line, last_line, settled, input_file FROM batch_mode_jobs WHERE batch_id = $1 ORDER BY first_line`,
    [batchId],
  );
}
