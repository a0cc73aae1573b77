import type { DataSource } from 'typeorm';
import type { SimStats } from '@keyfleet/testing';
import { simAnswer } from './crash-safety-helpers';
import { admin, call, eventually } from './http-helpers';
import { MODEL } from './stack';
import {
  batchOf,
  costByLane,
  economyPrompt,
  finished,
  jobRows,
  resultsOf,
  startEconomyStack,
  submitInLane,
} from './economy-helpers';
import type { Stack } from './stack';

const COUNT = 5000;

/** Everything the simulator charged its projects (interactive and Batch Mode). */
const spentMicros = (stats: SimStats) =>
  Object.values(stats.spend).reduce((sum, scope) => sum + scope.admittedMicros, 0);

describe('economy lane: batches through simulated Google Batch Mode', () => {
  let stack: Stack;
  let clientKey: string;
  let projectIds: string[];
  let dataSource: DataSource;

  beforeAll(async () => {
    ({ stack, clientKey, projectIds } = await startEconomyStack({ pendingMs: 100, turnaroundMs: 1500 }));
    dataSource = await stack.db.dataSource();
    await stack.startWorker();
  }, 60_000);

  afterAll(async () => {
    await stack?.close();
  });

  it(`runs ${COUNT} items over 3 projects in Batch Mode: results in order, each its own answer, at half the live cost`, async () => {
    const economy = await submitInLane(stack, clientKey, 'eco', COUNT, { lane: 'economy' });
    expect(economy).toMatchObject({ lane: 'economy', laneChosen: 'economy', laneReason: null });
    expect(economy.estimatedSavingUsd).toBeGreaterThan(0);
    const done = await finished(stack, clientKey, economy.id, 90_000);
    expect(done.counts).toMatchObject({ total: COUNT, succeeded: COUNT, failed: 0 });

    // The job rows are settled right after their items are written.
    const jobs = await eventually(async () => {
      const rows = await jobRows(dataSource, economy.id);
      return rows.every((job) => job.settled) ? rows : undefined;
    });
    expect(new Set(jobs.map((job) => job.project_id))).toEqual(new Set(projectIds));
    expect(jobs.every((job) => job.state === 'succeeded')).toBe(true);
    const sim = await stack.sim.stats();
    expect(sim.totals.batchMode).toMatchObject({ jobsCreated: jobs.length, requestsAnswered: COUNT });
    // Nothing went through the interactive API: the projects' spend is Batch Mode's alone.
    expect(spentMicros(sim)).toBe(sim.totals.batchMode.spendMicros);

    const lines = await resultsOf(stack, clientKey, economy.id);
    expect(lines.map((line) => line.key)).toEqual(Array.from({ length: COUNT }, (_, i) => `eco-${i}`));
    lines.forEach((line, i) => {
      expect(line.response?.candidates[0].content.parts[0].text).toContain(
        simAnswer(economyPrompt('eco', i)),
      );
    });

    // The same batch, live: every item an interactive call, at the full price.
    const live = await submitInLane(stack, clientKey, 'eco', COUNT, { lane: 'live' });
    await finished(stack, clientKey, live.id, 120_000);
    const economyCost = await costByLane(dataSource, economy.id);
    const liveCost = await costByLane(dataSource, live.id);
    expect(Object.keys(economyCost)).toEqual(['economy']);
    expect(economyCost.economy).toBeGreaterThan(0);
    expect(economyCost.economy / liveCost.live).toBeCloseTo(0.5, 3);
    // The simulator charged the same: half price for the Batch Mode requests.
    const after = await stack.sim.stats();
    // (It charges each request in whole micro-dollars: half of an odd number is rounded up, 1 µ$ at most.)
    const interactive = spentMicros(after) - after.totals.batchMode.spendMicros;
    expect(Math.abs(after.totals.batchMode.spendMicros - interactive / 2)).toBeLessThanOrEqual(COUNT / 2 + 1);
  }, 240_000);

  it('finishes live, before the deadline, the items of a job that expired and those Google answered with an error', async () => {
    const before = (await stack.sim.stats()).totals.batchMode;
    await stack.sim.setFaults({
      batchScript: [
        { outcome: 'expire', count: 1 },
        { outcome: 'failRequests', count: 1, failEvery: 2 },
      ],
    });
    const deadline = new Date(Date.now() + 60_000);
    const batch = await submitInLane(stack, clientKey, 'exp', 30, {
      lane: 'economy',
      deadline: deadline.toISOString(),
    });
    const done = await finished(stack, clientKey, batch.id);
    expect(done.counts).toMatchObject({ total: 30, succeeded: 30, failed: 0 });
    expect(new Date(done.completedAt ?? 0).getTime()).toBeLessThan(deadline.getTime());
    const after = (await stack.sim.stats()).totals.batchMode;
    expect(after.jobsExpired - before.jobsExpired).toBe(1);
    expect(after.requestsFailed - before.requestsFailed).toBe(5); // every 2nd of a 10-item job
    // 10 expired + 5 failed went live; the other 15 were answered by Batch Mode.
    const lanes = await dataSource.query<Array<{ lane: string; n: number }>>(
      `SELECT lane, count(*)::int AS n FROM usage_records WHERE batch_id = $1 GROUP BY lane ORDER BY lane`,
      [batch.id],
    );
    expect(lanes).toEqual([
      { lane: 'economy', n: 15 },
      { lane: 'live', n: 15 },
    ]);
    const lines = await resultsOf(stack, clientKey, batch.id);
    expect(lines.map((line) => line.key)).toEqual(Array.from({ length: 30 }, (_, i) => `exp-${i}`));
    await stack.sim.setFaults({});
  }, 90_000);

  it('auto: economy for a far deadline, live for a near one, and says why', async () => {
    const far = await submitInLane(stack, clientKey, 'far', 20, {
      lane: 'auto',
      deadline: new Date(Date.now() + 120_000).toISOString(),
    });
    const near = await submitInLane(stack, clientKey, 'near', 20, {
      lane: 'auto',
      deadline: new Date(Date.now() + 10_000).toISOString(),
    });
    expect(far).toMatchObject({
      laneChosen: 'economy',
      laneReason: expect.stringMatching(/leaves Batch Mode's 20 s/),
    });
    expect(far.estimatedSavingUsd).toBeGreaterThan(0);
    expect(near).toMatchObject({
      laneChosen: 'live',
      laneReason: expect.stringMatching(/sooner than/),
      estimatedSavingUsd: null,
    });
    await finished(stack, clientKey, far.id);
    await finished(stack, clientKey, near.id);
    expect(Object.keys(await costByLane(dataSource, far.id))).toEqual(['economy']);
    expect(Object.keys(await costByLane(dataSource, near.id))).toEqual(['live']);
  }, 90_000);

  it('sends a job over the inline limit as an uploaded JSONL file, and reads its results file', async () => {
    const inlineMaxBytes = stack.config.batchMode.inlineMaxBytes;
    stack.config.batchMode.inlineMaxBytes = 2000; // the worker shares this config: about 20 requests inline
    try {
      const batch = await submitInLane(stack, clientKey, 'file', 90, { lane: 'economy' });
      const done = await finished(stack, clientKey, batch.id);
      expect(done.counts).toMatchObject({ total: 90, succeeded: 90 });
      const jobs = await jobRows(dataSource, batch.id);
      expect(jobs.every((job) => job.input_file?.startsWith('files/'))).toBe(true);
      const lines = await resultsOf(stack, clientKey, batch.id);
      expect(lines.map((line) => line.key)).toEqual(Array.from({ length: 90 }, (_, i) => `file-${i}`));
      lines.forEach((line, i) => {
        expect(line.response?.candidates[0].content.parts[0].text).toContain(
          simAnswer(economyPrompt('file', i)),
        );
      });
    } finally {
      stack.config.batchMode.inlineMaxBytes = inlineMaxBytes;
    }
  }, 90_000);

  it("keeps Batch Mode jobs within the client's budget: pauses when it is reached, resumes when raised", async () => {
    const created = await admin<{ key: string; client: { id: string } }>(stack.apiUrl, 'POST', '/clients', {
      name: 'economy-budget',
      allowedIps: ['127.0.0.1/32', '::1/128'],
      budget: { dailyUsd: 0.01 },
    });
    // ~1,000 input tokens and at most 10 output tokens: about $0.000163 an item at Batch Mode's price.
    // Each batch of 45 fits the $0.01 budget on its own (and is accepted); together they pass it.
    const submit = async (label: string) => {
      const answer = await call(`${stack.apiUrl}/v1/batches`, {
        token: created.key,
        json: {
          model: MODEL,
          lane: 'economy',
          requests: Array.from({ length: 45 }, (_, i) => ({
            key: `${label}-${i}`,
            request: {
              contents: [{ role: 'user', parts: [{ text: `${label} ${i} `.padEnd(4000, 'x') }] }],
              generationConfig: { maxOutputTokens: 10 },
            },
          })),
        },
      });
      expect(answer.status).toBe(202);
      return (answer.body as { id: string }).id;
    };
    const ids = [await submit('bud-a'), await submit('bud-b')];
    const views = () => Promise.all(ids.map((id) => batchOf(stack, created.key, id)));
    const paused = await eventually(async () => {
      const now = await views();
      const settled = now.every((view) => view.counts.running === 0);
      return settled && now.some((view) => view.status === 'paused') ? now : undefined;
    });
    const succeeded = paused.reduce((sum, view) => sum + view.counts.succeeded, 0);
    expect(succeeded).toBeGreaterThan(30);
    expect(succeeded).toBeLessThan(90);
    let spent = 0;
    for (const id of ids) spent += (await costByLane(dataSource, id)).economy ?? 0;
    expect(spent).toBeLessThanOrEqual(10_000); // micro-dollars: within the $0.01
    await admin(stack.apiUrl, 'PATCH', `/clients/${created.client.id}`, { budget: { dailyUsd: 1 } });
    for (const id of ids) {
      const done = await finished(stack, created.key, id);
      expect(done.counts).toMatchObject({ total: 45, succeeded: 45, failed: 0, cancelled: 0 });
    }
  }, 90_000);
});
