// A Postgres outage under a running batch, seen by a worker process (a TcpProxy between the worker and
// Postgres is cut; the shared server other test files use keeps running): answers that arrive meanwhile
// are kept and written once Postgres is back, so no request is sent twice and every item is recorded once.
import { TcpProxy, type RunningProcess } from '@keyfleet/testing';
import { eventually } from './http-helpers';
import {
  batchState,
  limitsWithRpm,
  registerSmallProject,
  resultLines,
  simAnswer,
  startWorkers,
  stopWorkers,
  waitCompleted,
} from './crash-safety-helpers';
import { registerClient, startStack, submitPrompts, type Stack } from './stack';

const COUNT = 40;
const KEY = 'AQ.PostgresOutageBatchKey01';

describe('a Postgres outage under a running batch (worker process, simulator)', () => {
  let stack: Stack | undefined;
  let proxy: TcpProxy | undefined;
  let workers: RunningProcess[] = [];

  afterAll(async () => {
    await stopWorkers(workers);
    await proxy?.close();
    await stack?.close();
  });

  it('keeps the answers that arrive while Postgres is down, sends nothing twice, records each item once', async () => {
    stack = await startStack({
      // Answers take 2-3 s: the outage starts while every request is in flight, and they arrive during it.
      latencyMs: { min: 2000, max: 3000 },
      projects: [{ id: 'sim-outage', tier: 'paid', limits: limitsWithRpm(100), keys: [KEY] }],
    });
    await registerSmallProject(stack.apiUrl, 'outage', 100, KEY);
    const clientKey = await registerClient(stack.apiUrl, 'team-outage');
    const through = await TcpProxy.forUrl(stack.db.url);
    proxy = through.proxy;
    workers = startWorkers(stack, 1, { DATABASE_URL: through.url });
    const id = await submitPrompts(stack.apiUrl, clientKey, 'outage', COUNT);
    const running = stack;
    await eventually(async () =>
      (await batchState(running, clientKey, id)).counts.running === COUNT ? true : undefined,
    );

    proxy.cut();
    // Longer than the answers take, and than the worker's lease (5 s): everything answered is held.
    await new Promise((resolve) => setTimeout(resolve, 7000));
    const duringOutage = await stack.sim.stats();
    expect(duringOutage.totals.admitted).toBe(COUNT); // all sent before or during the outage
    expect((await batchState(stack, clientKey, id)).counts.succeeded).toBe(0); // nothing could be written
    proxy.restore();

    const counts = await waitCompleted(stack, clientKey, id, 30_000);
    expect(counts).toMatchObject({ total: COUNT, succeeded: COUNT, failed: 0 });
    const lines = await resultLines(stack, clientKey, id);
    expect(lines).toHaveLength(COUNT);
    for (const line of lines) expect(line.text).toBe(simAnswer(`outage ${line.key.split('-')[1]}`));
    // Not one upstream call repeated: Google billed each answer once.
    const stats = await stack.sim.stats();
    expect(stats.totals.admitted).toBe(COUNT);
    expect(stats.totals.refused429).toBe(0);
  }, 90_000);
});
