// Budgets on batches through the real stack (api, worker, Postgres, Redis, the simulator): a submission
// whose estimate passes what is left is refused with 400; two batches that together pass the daily budget
// run until it is reached, then pause with nothing lost; raising the budget resumes them to the end, every
// item with exactly one result.
import type { DataSource } from 'typeorm';
import { admin, call, eventually } from './http-helpers';
import { MODEL, registerProject, startStack, type Stack } from './stack';

const KEY = 'AQ.BudgetPauseKey00001';
const LIMITS = { [MODEL]: { rpm: 10_000, tpm: 10_000_000, rpd: 1_000_000 } };
// ~1,000 input tokens (300 micro-dollars at $0.30 per million) and at most 10 output tokens: an estimate
// close to the real cost, so the budget binds where the arithmetic says.
const PROMPT_CHARS = 4_000;
const DAILY_USD = 0.01;
const ITEMS = 20;

interface BatchView {
  id: string;
  status: string;
  etaSeconds: number | null;
  counts: { total: number; pending: number; running: number; succeeded: number; failed: number };
}

const request = (text: string) => ({
  contents: [{ role: 'user', parts: [{ text: text.padEnd(PROMPT_CHARS, 'x') }] }],
  generationConfig: { maxOutputTokens: 10 },
});

describe('a client budget on batches', () => {
  let stack: Stack;
  let dataSource: DataSource;
  let clientId: string;
  let clientKey: string;

  beforeAll(async () => {
    stack = await startStack({
      latencyMs: { min: 100, max: 200 },
      projects: [{ id: 'bp', tier: 'paid', limits: LIMITS, keys: [KEY], spendLimitUsd: 100 }],
    });
    await registerProject(stack.apiUrl, 'budget-pool', [KEY]);
    const created = await admin<{ key: string; client: { id: string } }>(stack.apiUrl, 'POST', '/clients', {
      name: 'budgeted-batches',
      allowedIps: ['127.0.0.1/32', '::1/128'],
      budget: { dailyUsd: DAILY_USD },
    });
    clientId = created.client.id;
    clientKey = created.key;
    dataSource = await stack.db.dataSource();
    await stack.startWorker();
  }, 60_000);
  afterAll(() => stack?.close());

  const submit = (label: string, count: number) =>
    call(`${stack.apiUrl}/v1/batches`, {
      token: clientKey,
      json: {
        model: MODEL,
        requests: Array.from({ length: count }, (_, i) => ({
          key: `${label}-${i}`,
          request: request(`${label} ${i}`),
        })),
      },
    });
  const view = async (id: string) =>
    (await call(`${stack.apiUrl}/v1/batches/${id}`, { token: clientKey })).body as BatchView;
  const charged = async () => (await stack.sim.stats()).spend['bp']?.admittedMicros ?? 0;

  it('refuses a submission whose estimate passes what is left, naming both in USD and the period', async () => {
    const refused = await submit('huge', 100);
    expect(refused.status).toBe(400);
    const message = (refused.body as { error: { message: string } }).error.message;
    expect(message).toMatch(/estimated cost \(\$0\.0\d{3}\) passes what the client's daily budget/);
    expect(message).toContain('has left ($0.0100 of $0.0100, until ');
    const [{ count }] = await dataSource.query<Array<{ count: string }>>('SELECT count(*) FROM batches');
    expect(Number(count)).toBe(0);
  });

  it('pauses the batches at the budget, keeps what ran, and resumes them when the budget is raised', async () => {
    // Each fits what is left on its own; together they pass it.
    const ids: string[] = [];
    for (const label of ['a', 'b']) {
      const submitted = await submit(label, ITEMS);
      expect(submitted.status).toBe(202);
      ids.push((submitted.body as { id: string }).id);
    }
    // Paused with nothing running, and no progress while the budget does not allow more. (A pause can
    // lift by itself at first: early items were estimated above their real cost, which frees budget.)
    const succeeded = (views: BatchView[]) => views.reduce((sum, v) => sum + v.counts.succeeded, 0);
    let last = -1;
    const paused = await eventually(
      async () => {
        const views = await Promise.all(ids.map(view));
        const stopped = views.every((v) => v.status === 'paused' || v.status === 'completed');
        const stable = stopped && views.every((v) => v.counts.running === 0) && succeeded(views) === last;
        last = succeeded(views);
        return stable && views.some((v) => v.status === 'paused') ? views : undefined;
      },
      60_000,
      2_500,
    );
    const done = succeeded(paused);
    for (const v of paused.filter((p) => p.status === 'paused')) expect(v.etaSeconds).toBeNull();
    expect(done).toBeGreaterThan(0);
    expect(done).toBeLessThan(2 * ITEMS);
    expect(await charged()).toBeLessThanOrEqual(DAILY_USD * 1e6);
    const [{ count }] = await dataSource.query<Array<{ count: string }>>(
      "SELECT count(*) FROM batch_items WHERE batch_id = ANY($1) AND status = 'pending'",
      [ids],
    );
    expect(Number(count)).toBe(2 * ITEMS - done); // nothing lost: the rest waits

    await admin(stack.apiUrl, 'PATCH', `/clients/${clientId}`, { budget: { dailyUsd: 1 } });
    await eventually(async () => {
      const views = await Promise.all(ids.map(view));
      return views.every((v) => v.status === 'completed') ? true : undefined;
    }, 60_000);
    const items = await dataSource.query<Array<{ key: string; status: string; answers: number }>>(
      `SELECT key, status, (response IS NOT NULL)::int + (error IS NOT NULL)::int AS answers
       FROM batch_items WHERE batch_id = ANY($1) ORDER BY key`,
      [ids],
    );
    expect(items).toHaveLength(2 * ITEMS);
    expect(items.every((item) => item.status === 'succeeded' && item.answers === 1)).toBe(true);
    expect((await stack.sim.stats()).totals.admitted).toBe(2 * ITEMS); // each item sent once
  }, 150_000);
});
