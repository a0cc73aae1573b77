import type { DataSource } from 'typeorm';
import { admin, call } from './http-helpers';
import { MODEL, promptRequest, startStack, type Stack } from './stack';
import { limitsWithRpm, waitCompleted } from './crash-safety-helpers';

/**
 * Weighted fair sharing end to end: clients submit backlogs larger than the pool's minute; the first
 * window's room is split between them by weight, interleaved, however they submitted.
 */
describe('fair dispatch between clients (api, worker, simulator)', () => {
  let stack: Stack | undefined;
  let dataSource: DataSource;

  afterEach(async () => {
    await stack?.close();
    stack = undefined;
  });

  async function startPool(rpm: number): Promise<Stack> {
    const key = `AQ.FairDispatchPoolKey${rpm}`;
    const started = await startStack({
      latencyMs: { min: 5, max: 20 },
      projects: [{ id: 'sim-fair', tier: 'paid', limits: limitsWithRpm(rpm), keys: [key] }],
    });
    const project = await admin<{ id: string }>(started.apiUrl, 'POST', '/projects', {
      name: 'fair',
      limits: limitsWithRpm(rpm),
    });
    await admin(started.apiUrl, 'POST', `/projects/${project.id}/keys`, { secret: key });
    dataSource = await started.db.dataSource();
    return started;
  }

  async function submitAs(apiUrl: string, name: string, weight: number, count: number) {
    const created = await admin<{ key: string }>(apiUrl, 'POST', '/clients', {
      name,
      allowedIps: ['127.0.0.1/32', '::1/128'],
      weight,
    });
    const submitted = await call(`${apiUrl}/v1/batches`, {
      token: created.key,
      json: {
        model: MODEL,
        requests: Array.from({ length: count }, (_, i) => ({
          key: `${name}-${i}`,
          request: promptRequest(`${name} ${i}`),
        })),
      },
    });
    expect(submitted.status).toBe(202);
    return { key: created.key, id: (submitted.body as { id: string }).id };
  }

  /** Items each batch has had taken (sent), once the pool's minute is spent. */
  async function takenPerBatch(batchIds: string[], expectedTotal: number): Promise<number[]> {
    for (;;) {
      const rows: Array<{ batch_id: string; n: number }> = await dataSource.query(
        `SELECT batch_id, count(*)::int AS n FROM batch_items
         WHERE batch_id = ANY($1::uuid[]) AND taken_at IS NOT NULL GROUP BY batch_id`,
        [batchIds],
      );
      const counts = batchIds.map((id) => rows.find((row) => row.batch_id === id)?.n ?? 0);
      if (counts.reduce((a, b) => a + b, 0) >= expectedTotal) return counts;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  it('two clients, weights 1 and 3: the minute is split 1:3, not first come, first served', async () => {
    stack = await startPool(40);
    // The lighter client submits first: first come, first served would give it the whole minute.
    const light = await submitAs(stack.apiUrl, 'light', 1, 40);
    const heavy = await submitAs(stack.apiUrl, 'heavy', 3, 40);
    await stack.startWorker();
    expect(await takenPerBatch([light.id, heavy.id], 40)).toEqual([10, 30]);
    // Nothing more goes out until the window frees.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await takenPerBatch([light.id, heavy.id], 40)).toEqual([10, 30]);
    const stats = await stack.sim.stats();
    expect(stats.totals.refused429).toBe(0);
  }, 60_000);

  it('five clients, weights 1, 1, 1, 3, 3: each gets weight/9 of the minute', async () => {
    stack = await startPool(45);
    const weights = [1, 1, 1, 3, 3];
    const batches = [];
    for (const [i, weight] of weights.entries())
      batches.push(await submitAs(stack.apiUrl, `c${i}`, weight, 45));
    await stack.startWorker();
    expect(
      await takenPerBatch(
        batches.map((b) => b.id),
        45,
      ),
    ).toEqual([5, 5, 5, 15, 15]);
  }, 60_000);

  it("a client's own batches: the higher priority goes first, equal ones share", async () => {
    stack = await startPool(30);
    const created = await admin<{ key: string }>(stack.apiUrl, 'POST', '/clients', {
      name: 'one-team',
      allowedIps: ['127.0.0.1/32', '::1/128'],
    });
    const submit = async (label: string, priority: number, count: number) => {
      const answer = await call(`${stack?.apiUrl}/v1/batches`, {
        token: created.key,
        json: {
          model: MODEL,
          priority,
          requests: Array.from({ length: count }, (_, i) => ({
            key: `${label}-${i}`,
            request: promptRequest(label + i),
          })),
        },
      });
      return (answer.body as { id: string }).id;
    };
    const background = await submit('background', -1, 30);
    const first = await submit('first', 0, 10);
    const second = await submit('second', 0, 10);
    const urgent = await submit('urgent', 5, 6);
    await stack.startWorker();
    const counts = await takenPerBatch([urgent, first, second, background], 30);
    expect(counts).toEqual([6, 10, 10, 4]);
    await waitCompleted(stack, created.key, urgent, 10_000);
  }, 60_000);
});
