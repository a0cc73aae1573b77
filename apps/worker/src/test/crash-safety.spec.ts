import { startPrivateRedis, type PrivateRedis, type RunningProcess } from '@keyfleet/testing';
import {
  batchState,
  limitsWithRpm,
  registerSmallProject,
  resultLines,
  simAnswer,
  startWorkers,
  stopWorkers,
  submitBatch,
  waitCompleted,
} from './crash-safety-helpers';
import { eventually } from './http-helpers';
import { MODEL, registerClient, startStack, type Stack } from './stack';

// Multi-process guarantees: three worker processes share one pool, one database and one Redis. The
// batch stays within the pool's per-minute capacity (20 + 40 RPM), so the tests take seconds.
const COUNT = 50;
const RPM = { 'sim-small': 20, 'sim-large': 40 } as const;
const KEYS = { 'sim-small': 'AQ.ASimKeyCrashSmall0001', 'sim-large': 'AQ.ASimKeyCrashLarge0002' } as const;
// Slow answers, so that a batch is still in flight when a worker dies or Redis is flushed.
const SLOW = { min: 1000, max: 2000 };

interface Fleet {
  stack: Stack;
  clientKey: string;
  workers: RunningProcess[];
}

async function startFleet(
  env: Record<string, string> = {},
  latencyMs = { min: 200, max: 500 },
): Promise<Fleet> {
  const stack = await startStack(
    {
      latencyMs,
      projects: (['sim-small', 'sim-large'] as const).map((id) => ({
        id,
        tier: 'paid' as const,
        limits: limitsWithRpm(RPM[id]),
        keys: [KEYS[id]],
      })),
    },
    env,
  );
  await registerSmallProject(stack.apiUrl, 'small', RPM['sim-small'], KEYS['sim-small']);
  await registerSmallProject(stack.apiUrl, 'large', RPM['sim-large'], KEYS['sim-large']);
  const clientKey = await registerClient(stack.apiUrl, 'team-crash');
  const workers = startWorkers(stack, 3, env);
  return { stack, clientKey, workers };
}

async function stopFleet(fleet: Fleet | undefined): Promise<void> {
  if (!fleet) return;
  await stopWorkers(fleet.workers);
  await fleet.stack.close();
}

/** Every item succeeded, its result written exactly once and holding its own prompt's answer. */
async function expectExactlyOnce(fleet: Fleet, id: string, prompts: string[]): Promise<void> {
  const lines = await resultLines(fleet.stack, fleet.clientKey, id);
  expect(lines).toHaveLength(prompts.length);
  expect(new Set(lines.map((line) => line.key)).size).toBe(prompts.length);
  for (const line of lines) {
    const index = Number(line.key.replace('row-', '')) - 1;
    expect(line.text).toBe(simAnswer(prompts[index]));
  }
  const dataSource = await fleet.stack.db.dataSource();
  const [row] = await dataSource.query<Array<{ total: number; succeeded: number }>>(
    `SELECT count(*)::int AS total, count(*) FILTER (WHERE status = 'succeeded')::int AS succeeded
       FROM batch_items WHERE batch_id = $1`,
    [id],
  );
  expect(row).toEqual({ total: prompts.length, succeeded: prompts.length });
}

function workerLogs(fleet: Fleet | undefined): string {
  return (fleet?.workers ?? []).map((w) => w.output.join('\n')).join('\n---\n');
}

describe('crash safety: three worker processes against the simulator', () => {
  let fleet: Fleet | undefined;
  let redis: PrivateRedis | undefined;

  afterEach(async () => {
    await stopFleet(fleet);
    fleet = undefined;
    await redis?.stop();
    redis = undefined;
  });

  it('three workers share the pool: every item once, no 429, no project over its RPM', async () => {
    fleet = await startFleet();
    const { id, prompts } = await submitBatch(fleet.stack, fleet.clientKey, COUNT, 'multi');
    const counts = await waitCompleted(fleet.stack, fleet.clientKey, id, 60_000).catch((error: Error) => {
      throw new Error(`${error.message}\n${workerLogs(fleet)}`);
    });
    expect(counts).toMatchObject({ total: COUNT, succeeded: COUNT, failed: 0, pending: 0, running: 0 });
    await expectExactlyOnce(fleet, id, prompts);

    const stats = await fleet.stack.sim.stats();
    expect(stats.totals.refused429).toBe(0);
    expect(stats.totals.admitted).toBe(COUNT);
    for (const project of ['sim-small', 'sim-large'] as const) {
      const model = stats.projects[project]?.[MODEL];
      expect(model?.overLimit).toBe(false);
      expect(model?.maxRequestsInRollingWindow ?? 0).toBeGreaterThan(0);
      expect(model?.maxRequestsInRollingWindow ?? Infinity).toBeLessThanOrEqual(RPM[project]);
    }
  }, 90_000);

  it('a worker killed with SIGKILL mid-batch: its items are back within its lease, every result written once', async () => {
    fleet = await startFleet({}, SLOW);
    // Half the pool's minute: the dead worker's items, sent again, still fit in the same minute.
    const count = COUNT / 2 + 5;
    const { id, prompts } = await submitBatch(fleet.stack, fleet.clientKey, count, 'sigkill');
    const stack = fleet.stack;
    const dataSource = await stack.db.dataSource();
    // The victim is the worker holding the most items in flight (its lease is named after its pid).
    const { victim, held } = await eventually(async () => {
      const rows: Array<{ id: string; name: string }> = await dataSource.query(
        `SELECT i.id, w.name FROM batch_items i JOIN dispatch_workers w ON w.id = i.lease_owner
         WHERE i.batch_id = $1 AND i.status = 'running'`,
        [id],
      );
      const byPid = new Map<number, string[]>();
      for (const row of rows) {
        const pid = Number(row.name.split(':').pop());
        byPid.set(pid, [...(byPid.get(pid) ?? []), row.id]);
      }
      const [pid, ids] = [...byPid].sort((a, b) => b[1].length - a[1].length)[0] ?? [];
      const worker = fleet?.workers.find((w) => w.child.pid === pid);
      return worker && ids ? { victim: worker, held: ids } : undefined;
    }, 30_000);
    const died = new Promise<void>((resolve) => victim.child.once('exit', () => resolve()));
    victim.child.kill('SIGKILL');
    await died;
    const [{ killedAt }] = await dataSource.query<Array<{ killedAt: Date }>>('SELECT now() AS "killedAt"');
    const atKill = await batchState(stack, fleet.clientKey, id);
    expect(atKill.counts.succeeded).toBeLessThan(count); // the kill really landed mid-batch

    const counts = await waitCompleted(stack, fleet.clientKey, id, 60_000);
    expect(counts).toMatchObject({ total: count, succeeded: count, failed: 0 });
    await expectExactlyOnce(fleet, id, prompts);
    // What the victim held went back to waiting once its lease ran out (5 s), was taken by a live worker
    // and answered: all within 10 s of the kill, not after BullMQ's 30 s lock and stall check as before.
    const [{ latest }] = await dataSource.query<Array<{ latest: Date }>>(
      'SELECT max(completed_at) AS latest FROM batch_items WHERE id = ANY($1::uuid[])',
      [held],
    );
    expect(latest.getTime() - killedAt.getTime()).toBeLessThan(10_000);
    const stats = await stack.sim.stats();
    // A request in flight at the kill may be sent again; its result is still written once.
    expect(stats.totals.admitted).toBeGreaterThanOrEqual(count);
    expect(stats.totals.admitted).toBeLessThanOrEqual(count + held.length);
  }, 120_000);

  it('FLUSHALL of Redis mid-batch, the pool full: the windows are put back (no upstream 429), every result written once', async () => {
    // More than the pool's minute (60): the last 20 must wait for the window the flush erased.
    const count = 80;
    redis = await startPrivateRedis();
    fleet = await startFleet({ REDIS_URL: redis.url }, SLOW);
    const { id, prompts } = await submitBatch(fleet.stack, fleet.clientKey, count, 'flush');
    const stack = fleet.stack;
    const clientKey = fleet.clientKey;
    await eventually(async () => {
      const { counts } = await batchState(stack, clientKey, id);
      return counts.succeeded >= 8 && counts.succeeded < count ? true : undefined;
    }, 30_000);
    expect(await redis.client.flushall()).toBe('OK');
    const atFlush = await batchState(stack, clientKey, id);
    expect(atFlush.counts.succeeded).toBeLessThan(count);

    const counts = await waitCompleted(stack, clientKey, id, 100_000);
    expect(counts).toMatchObject({ total: count, succeeded: count, failed: 0 });
    await expectExactlyOnce(fleet, id, prompts);
    const stats = await stack.sim.stats();
    expect(stats.totals.refused429).toBe(0);
    expect(stats.totals.admitted).toBe(count);
  }, 150_000);
});
