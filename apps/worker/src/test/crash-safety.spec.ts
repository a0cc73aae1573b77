import type { RunningProcess } from '@keyfleet/testing';
import {
  batchState,
  limitsWithRpm,
  registerSmallProject,
  resultLines,
  simAnswer,
  startPrivateRedis,
  startWorkers,
  stopWorkers,
  submitBatch,
  waitCompleted,
  type PrivateRedis,
} from './crash-safety-helpers';
import { eventually } from './http-helpers';
import { MODEL, registerClient, startStack, type Stack } from './stack';

// Multi-process guarantees: three worker processes share one pool, one database and one Redis. The
// batch stays within the pool's per-minute capacity (20 + 40 RPM), so the tests take seconds.
const COUNT = 50;
const RPM = { 'sim-small': 20, 'sim-large': 40 } as const;
const KEYS = { 'sim-small': 'AIzaSimKeyCrashSmall0001', 'sim-large': 'AIzaSimKeyCrashLarge0002' } as const;
// Few slots per worker, so that a batch is still running when a worker dies or Redis is flushed.
const CONCURRENCY = 2;

interface Fleet {
  stack: Stack;
  clientKey: string;
  workers: RunningProcess[];
}

async function startFleet(env: Record<string, string> = {}): Promise<Fleet> {
  const stack = await startStack(
    {
      latencyMs: { min: 200, max: 500 },
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
  const workers = startWorkers(stack, 3, { KF_WORKER_CONCURRENCY: String(CONCURRENCY) });
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

  it('a worker killed with SIGKILL mid-batch: the batch still completes, every result written once', async () => {
    fleet = await startFleet();
    const { id, prompts } = await submitBatch(fleet.stack, fleet.clientKey, COUNT, 'sigkill');
    const stack = fleet.stack;
    const clientKey = fleet.clientKey;
    await eventually(async () => {
      const { counts } = await batchState(stack, clientKey, id);
      return counts.succeeded >= 8 && counts.succeeded < COUNT ? true : undefined;
    }, 30_000);
    const victim = fleet.workers[0];
    const died = new Promise<void>((resolve) => victim.child.once('exit', () => resolve()));
    victim.child.kill('SIGKILL');
    await died;
    const atKill = await batchState(stack, clientKey, id);
    expect(atKill.counts.succeeded).toBeLessThan(COUNT); // the kill really landed mid-batch

    // The dead worker's active jobs come back through BullMQ's stalled-job check (~30–60 s).
    const counts = await waitCompleted(stack, clientKey, id, 100_000);
    expect(counts).toMatchObject({ total: COUNT, succeeded: COUNT, failed: 0 });
    await expectExactlyOnce(fleet, id, prompts);
    const stats = await stack.sim.stats();
    // A request in flight at the kill may be sent again; its result is still written once.
    expect(stats.totals.admitted).toBeGreaterThanOrEqual(COUNT);
    expect(stats.totals.admitted).toBeLessThanOrEqual(COUNT + CONCURRENCY);
  }, 150_000);

  it('FLUSHALL of Redis mid-batch: the reconciler re-enqueues open items, every result written once', async () => {
    redis = await startPrivateRedis();
    fleet = await startFleet({ REDIS_URL: redis.url });
    const { id, prompts } = await submitBatch(fleet.stack, fleet.clientKey, COUNT, 'flush');
    const stack = fleet.stack;
    const clientKey = fleet.clientKey;
    await eventually(async () => {
      const { counts } = await batchState(stack, clientKey, id);
      return counts.succeeded >= 8 && counts.succeeded < COUNT ? true : undefined;
    }, 30_000);
    expect(await redis.client.flushall()).toBe('OK');
    const atFlush = await batchState(stack, clientKey, id);
    expect(atFlush.counts.succeeded).toBeLessThan(COUNT);

    const counts = await waitCompleted(stack, clientKey, id, 60_000);
    expect(counts).toMatchObject({ total: COUNT, succeeded: COUNT, failed: 0 });
    await expectExactlyOnce(fleet, id, prompts);
  }, 120_000);
});
