import type { DataSource } from 'typeorm';
import { admin, call, eventually } from './http-helpers';
import { registerClient, startStack, submitPrompts, type Stack } from './stack';
import { limitsWithRpm, waitCompleted, type BatchCounts } from './crash-safety-helpers';

async function addProject(stack: Stack, name: string, rpm: number, key: string): Promise<string> {
  const project = await admin<{ id: string }>(stack.apiUrl, 'POST', '/projects', {
    name,
    limits: limitsWithRpm(rpm),
  });
  await admin(stack.apiUrl, 'POST', `/projects/${project.id}/keys`, { secret: key });
  return project.id;
}

describe('dispatch capacity: what is in flight follows the quota (api, worker, simulator)', () => {
  let stack: Stack | undefined;

  afterEach(async () => {
    await stack?.close();
    stack = undefined;
  });

  it('keeps thousands of slow upstream calls open at once in one worker process, on the defaults', async () => {
    const keys = ['AQ.CapacityKeyOne0001', 'AQ.CapacityKeyTwo0002', 'AQ.CapacityKeyThree03'];
    stack = await startStack({
      // Every answer takes 25-30 s: only what is in flight together can get 2,400 through in one window.
      // (With 9-10 s a loaded CI machine sent 1,460 before the first answers came back: that measured its
      // speed, not a cap.)
      latencyMs: { min: 25_000, max: 30_000 },
      projects: keys.map((key, i) => ({
        id: `sim-cap${i}`,
        tier: 'paid' as const,
        limits: limitsWithRpm(1000),
        keys: [key],
      })),
    });
    for (const [i, key] of keys.entries()) await addProject(stack, `cap${i}`, 1000, key);
    const clientKey = await registerClient(stack.apiUrl, 'team-capacity');
    await stack.startWorker();
    const id = await submitPrompts(stack.apiUrl, clientKey, 'slow', 2400);
    const counts = await eventually(async () => {
      const batch = (await call(`${stack?.apiUrl}/v1/batches/${id}`, { token: clientKey })).body as {
        status: string;
        counts: BatchCounts;
      };
      return batch.status === 'completed' ? batch.counts : undefined;
    }, 90_000);
    expect(counts).toMatchObject({ total: 2400, succeeded: 2400, failed: 0 });
    const stats = await stack.sim.stats();
    // No constant held them back: well over two thousand were in the air together, as the upstream saw it.
    expect(stats.totals.mostOpen).toBeGreaterThan(2000);
    expect(stats.totals.refused429).toBe(0);
    expect(stats.totals.admitted).toBe(2400);
  }, 120_000);

  it('a project registered while a batch waits for room is used within a second, by the worker process', async () => {
    stack = await startStack({
      latencyMs: { min: 5, max: 20 },
      projects: [
        { id: 'sim-small', tier: 'paid', limits: limitsWithRpm(1), keys: ['AQ.NewProjectSmall0001'] },
        { id: 'sim-new', tier: 'paid', limits: limitsWithRpm(100), keys: ['AQ.NewProjectLarge0002'] },
      ],
    });
    await addProject(stack, 'small', 1, 'AQ.NewProjectSmall0001');
    const clientKey = await registerClient(stack.apiUrl, 'team-new-project');
    await stack.startWorker();
    const id = await submitPrompts(stack.apiUrl, clientKey, 'waiting', 4);
    const dataSource: DataSource = await stack.db.dataSource();
    // One item took the small project's minute; the other three wait for it to free (about a minute).
    await eventually(async () => {
      const rows: Array<{ n: number }> = await dataSource.query(
        `SELECT count(*)::int AS n FROM batch_items WHERE batch_id = $1 AND status = 'succeeded'`,
        [id],
      );
      return rows[0].n === 1 ? true : undefined;
    });
    const newProject = await addProject(stack, 'new', 100, 'AQ.NewProjectLarge0002');
    await waitCompleted(stack, clientKey, id, 20_000);
    const rows: Array<{ project_id: string; after_ms: number }> = await dataSource.query(
      `SELECT i.project_id, extract(epoch FROM i.taken_at - k.created_at) * 1000 AS after_ms
       FROM batch_items i JOIN upstream_keys k ON k.project_id = $2
       WHERE i.batch_id = $1 AND i.project_id = $2`,
      [id, newProject],
    );
    expect(rows).toHaveLength(3);
    // Taken on the new project within a second of its key being registered (not at the small project's next minute).
    for (const row of rows) expect(Number(row.after_ms)).toBeLessThan(1000);
  }, 60_000);
});
