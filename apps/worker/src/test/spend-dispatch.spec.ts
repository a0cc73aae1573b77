// Spend as a quota dimension through the real stack (api, worker, Postgres, Redis, the simulator).
import type { DataSource } from 'typeorm';
import { admin, call, eventually } from './http-helpers';
import { MODEL, promptRequest, registerClient, startStack, type Stack } from './stack';

const SPEND_WINDOW_MS = 8_000;
const LIMITS = { [MODEL]: { rpm: 1000, tpm: 1_000_000, rpd: 100_000 } };
// ~1,000 input tokens: 300 micro-dollars at gemini-2.5-flash's $0.30 per million, plus the answer's output.
const PROMPT_CHARS = 4_000;
// Six such requests per window: spend binds long before RPM or TPM.
const LIMIT_USD = 0.002;

interface Item {
  key: string;
  status: string;
  attempts: number;
  project_id: string | null;
}

interface QuotaRow {
  projectName: string;
  model: string;
  blockedUntil: string | null;
  spend: { scope: string; windowMicros: number; todayMicros: number; remainingMicros: number | null };
}

async function registerSpendProject(
  stack: Stack,
  name: string,
  secret: string,
  extra: Record<string, unknown>,
): Promise<string> {
  const project = await admin<{ id: string }>(stack.apiUrl, 'POST', '/projects', {
    name,
    limits: LIMITS,
    ...extra,
  });
  await admin(stack.apiUrl, 'POST', `/projects/${project.id}/keys`, { secret });
  return project.id;
}

async function runBatch(
  stack: Stack,
  clientKey: string,
  dataSource: DataSource,
  label: string,
  count: number,
) {
  const created = await call(`${stack.apiUrl}/v1/batches`, {
    token: clientKey,
    json: {
      model: MODEL,
      requests: Array.from({ length: count }, (_, i) => ({
        key: `${label}-${i}`,
        request: promptRequest(`${label} ${i} `.padEnd(PROMPT_CHARS, 'x')),
      })),
    },
  });
  expect(created.status).toBe(202);
  const id = (created.body as { id: string }).id;
  await eventually(
    async () => {
      const batch = (await call(`${stack.apiUrl}/v1/batches/${id}`, { token: clientKey })).body as {
        status: string;
      };
      return batch.status === 'completed' ? true : undefined;
    },
    90_000,
    200,
  );
  return dataSource.query<Item[]>(
    'SELECT key, status, attempts, project_id FROM batch_items WHERE batch_id = $1 ORDER BY line_no',
    [id],
  );
}

describe('spend-bound pool through the real stack', () => {
  let stack: Stack;
  let clientKey: string;
  let dataSource: DataSource;

  beforeAll(async () => {
    stack = await startStack(
      {
        latencyMs: { min: 50, max: 150 },
        spendWindowMs: SPEND_WINDOW_MS,
        projects: [
          // g1 and g2 share one billing account: one limit for both.
          {
            id: 'g1',
            tier: 'paid',
            limits: LIMITS,
            keys: ['AQ.SpendGroupOne0001'],
            spendLimitUsd: LIMIT_USD,
            billingAccount: 'acct',
          },
          {
            id: 'g2',
            tier: 'paid',
            limits: LIMITS,
            keys: ['AQ.SpendGroupTwo0002'],
            spendLimitUsd: LIMIT_USD,
            billingAccount: 'acct',
          },
          {
            id: 'solo',
            tier: 'paid',
            limits: LIMITS,
            keys: ['AQ.SpendSoloKey00003'],
            spendLimitUsd: LIMIT_USD,
          },
        ],
      },
      { KF_SPEND_WINDOW_MS: String(SPEND_WINDOW_MS) },
    );
    await registerSpendProject(stack, 'g1', 'AQ.SpendGroupOne0001', {
      billingGroup: 'acct',
      spendLimitUsd: LIMIT_USD,
    });
    await registerSpendProject(stack, 'g2', 'AQ.SpendGroupTwo0002', {
      billingGroup: 'acct',
      spendLimitUsd: LIMIT_USD,
    });
    await registerSpendProject(stack, 'solo', 'AQ.SpendSoloKey00003', { spendLimitUsd: LIMIT_USD });
    clientKey = await registerClient(stack.apiUrl, 'team-spend');
    dataSource = await stack.db.dataSource();
    await stack.startWorker();
  }, 60_000);

  afterAll(async () => {
    await stack?.close();
  });

  it('runs every item once with no upstream 429, the group under one limit, and counts the real cost', async () => {
    await stack.sim.resetStats();
    const started = Date.now();
    const items = await runBatch(stack, clientKey, dataSource, 'spend', 36);
    const elapsed = Date.now() - started;
    expect(items.map((i) => i.status)).toEqual(items.map(() => 'succeeded'));
    expect(items.every((i) => i.attempts === 0)).toBe(true);
    const stats = await stack.sim.stats();
    expect(stats.totals.refused429).toBe(0);
    expect(stats.totals.admitted).toBe(36);
    // The group's two projects together stayed under the one limit of their billing account.
    expect(stats.spend['acct'].maxMicrosInWindow).toBeLessThanOrEqual(LIMIT_USD * 1e6);
    expect(stats.spend['solo'].maxMicrosInWindow).toBeLessThanOrEqual(LIMIT_USD * 1e6);
    // Spend bound it: ~12 requests per window for 36 items, so at least two windows passed.
    expect(elapsed).toBeGreaterThan(2 * SPEND_WINDOW_MS);

    // Corrected from usageMetadata: keyfleet's spend of the day is exactly what the simulator charged.
    const { quota: usage } = await admin<{ quota: QuotaRow[] }>(stack.apiUrl, 'GET', '/quota');
    const today = (name: string) => usage.find((row) => row.projectName === name)?.spend.todayMicros ?? -1;
    expect(today('g1') + today('g2')).toBe(stats.spend['acct'].admittedMicros);
    expect(today('solo')).toBe(stats.spend['solo'].admittedMicros);
    const scopes = usage.map((row) => row.spend.scope.slice(0, 2)).sort();
    expect(scopes).toEqual(['g:', 'g:', 'p:']);
  }, 120_000);
});

describe('a Help-only 429 through the real stack', () => {
  let stack: Stack;
  let clientKey: string;
  let dataSource: DataSource;
  let blockedId: string;

  beforeAll(async () => {
    stack = await startStack({
      latencyMs: { min: 1, max: 3 },
      projects: [
        { id: 'help-a', tier: 'paid', limits: LIMITS, keys: ['AQ.HelpOnlyKeyA0001'] },
        { id: 'help-b', tier: 'paid', limits: LIMITS, keys: ['AQ.HelpOnlyKeyB0002'] },
      ],
    });
    blockedId = await registerSpendProject(stack, 'help-a', 'AQ.HelpOnlyKeyA0001', {});
    await registerSpendProject(stack, 'help-b', 'AQ.HelpOnlyKeyB0002', {});
    clientKey = await registerClient(stack.apiUrl, 'team-help');
    dataSource = await stack.db.dataSource();
    await stack.startWorker();
  }, 60_000);

  afterAll(async () => {
    await stack?.close();
  });

  it('blocks the project+model for 10 s and the item goes elsewhere without using an attempt', async () => {
    // help-a answers only Help-only 429s: whatever was sent there before its block moves to help-b.
    await stack.sim.setFaults({ script: [{ status: 429, count: 100, projectId: 'help-a', helpOnly: true }] });
    await stack.sim.resetStats();
    const items = await runBatch(stack, clientKey, dataSource, 'help', 6);
    expect(items.map((i) => [i.status, i.attempts])).toEqual(items.map(() => ['succeeded', 0]));
    const stats = await stack.sim.stats();
    expect(stats.totals.refused429).toBeGreaterThanOrEqual(1);
    expect(stats.totals.admitted).toBe(6);
    // Nothing was served by help-a: every item went to help-b.
    expect(items.filter((i) => i.project_id === blockedId)).toHaveLength(0);
    const { quota: usage } = await admin<{ quota: QuotaRow[] }>(stack.apiUrl, 'GET', '/quota');
    const blocked = usage.find((row) => row.projectName === 'help-a')?.blockedUntil;
    expect(blocked).not.toBeNull();
    const left = Date.parse(String(blocked)) - Date.now();
    expect(left).toBeGreaterThan(5_000);
    expect(left).toBeLessThanOrEqual(10_000);
  }, 60_000);
});
