import type { DataSource } from 'typeorm';
import type { RunningProcess } from '@keyfleet/testing';
import { startWorkers, stopWorkers } from './crash-safety-helpers';
import {
  batchOf,
  costByLane,
  ECONOMY_ENV,
  finished,
  jobRows,
  resultsOf,
  startEconomyStack,
  submitInLane,
} from './economy-helpers';
import { call, eventually } from './http-helpers';
import type { Stack } from './stack';

/** Waits until all `count` items are in Batch Mode jobs that have their Google names; returns the jobs. */
function allNamed(dataSource: DataSource, batchId: string, count: number, timeoutMs = 60_000) {
  return eventually(
    async () => {
      const jobs = await jobRows(dataSource, batchId);
      const items = jobs.reduce((sum, job) => sum + job.last_line - job.first_line + 1, 0);
      return items === count && jobs.every((job) => job.name !== null) ? jobs : undefined;
    },
    timeoutMs,
    50,
  );
}

describe('economy lane: a worker killed mid-poll, and cancelling', () => {
  let stack: Stack;
  let clientKey: string;
  let dataSource: DataSource;
  let workers: RunningProcess[] = [];

  beforeAll(async () => {
    // Jobs take 6 s on the sim's clock: long enough to kill a worker or cancel while they run. Inline
    // bodies over 30 kB are refused (400) by this sim: keyfleet's own limit is Google's 20 MB.
    ({ stack, clientKey } = await startEconomyStack({
      pendingMs: 200,
      turnaroundMs: 6000,
      maxInlineBytes: 30_000,
    }));
    dataSource = await stack.db.dataSource();
  }, 60_000);

  afterAll(async () => {
    await stopWorkers(workers);
    await stack?.close();
  });

  it('a worker killed (SIGKILL) while its jobs run: a successor resumes polling them, nothing is submitted twice', async () => {
    workers = startWorkers(stack, 1, ECONOMY_ENV);
    const batch = await submitInLane(stack, clientKey, 'crash', 300, { lane: 'economy' });
    const jobs = await allNamed(dataSource, batch.id, 300);
    workers[0].child.kill('SIGKILL');
    const atKill = await stack.sim.stats();
    expect(atKill.totals.batchMode.jobsCreated).toBe(jobs.length);
    expect((await batchOf(stack, clientKey, batch.id)).counts).toMatchObject({ running: 300, succeeded: 0 });

    await stack.startWorker();
    const done = await finished(stack, clientKey, batch.id, 60_000);
    expect(done.counts).toMatchObject({ total: 300, succeeded: 300 });
    const after = await stack.sim.stats();
    expect(after.totals.batchMode.jobsCreated).toBe(jobs.length); // none submitted again
    expect(after.totals.batchMode.requestsAnswered).toBe(300);
    expect((await jobRows(dataSource, batch.id)).map((job) => job.name)).toEqual(jobs.map((job) => job.name));
    const lines = await resultsOf(stack, clientKey, batch.id);
    expect(lines.map((line) => line.key)).toEqual(Array.from({ length: 300 }, (_, i) => `crash-${i}`));
  }, 120_000);

  it('cancelling the batch cancels its Google jobs; its items end cancelled', async () => {
    const before = (await stack.sim.stats()).totals.batchMode;
    const batch = await submitInLane(stack, clientKey, 'cancel', 90, { lane: 'economy' });
    const jobs = await allNamed(dataSource, batch.id, 90);
    const cancelled = await call(`${stack.apiUrl}/v1/batches/${batch.id}/cancel`, {
      token: clientKey,
      method: 'POST',
    });
    expect(cancelled.status).toBe(200);
    const done = await eventually(async () => {
      const view = await batchOf(stack, clientKey, batch.id);
      return view.counts.cancelled === 90 ? view : undefined;
    });
    expect(done).toMatchObject({ status: 'cancelled', counts: { succeeded: 0, running: 0, pending: 0 } });
    const after = (await stack.sim.stats()).totals.batchMode;
    expect(after.jobsCancelled - before.jobsCancelled).toBe(jobs.length);
    expect(after.requestsAnswered).toBe(before.requestsAnswered);
    const rows = await eventually(async () => {
      const current = await jobRows(dataSource, batch.id);
      return current.every((job) => job.settled) ? current : undefined;
    });
    expect(rows.every((job) => job.state === 'cancelled')).toBe(true);
  }, 60_000);

  it('a job Google refuses for its requests (400): its items are run live instead', async () => {
    const before = (await stack.sim.stats()).totals.batchMode;
    const batch = await submitInLane(stack, clientKey, 'refused', 900, { lane: 'economy' });
    const done = await finished(stack, clientKey, batch.id);
    expect(done.counts).toMatchObject({ total: 900, succeeded: 900, failed: 0 });
    expect((await stack.sim.stats()).totals.batchMode.jobsCreated).toBe(before.jobsCreated);
    expect(await costByLane(dataSource, batch.id)).toEqual({ live: expect.any(Number) });
    const jobs = await jobRows(dataSource, batch.id);
    expect(jobs.every((job) => job.state === 'failed' && job.settled && job.name === null)).toBe(true);
  }, 60_000);
});
