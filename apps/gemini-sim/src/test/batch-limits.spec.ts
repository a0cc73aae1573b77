// Batch Mode's own limits (concurrent jobs, enqueued tokens per model, inline body size) with Google's
// error bodies, and scripted outcomes (expire, fail, failed requests) set through PUT /sim/faults.
import { JobState, type GoogleGenAI } from '@google/genai';
import {
  genaiFor,
  promptOf,
  quotaIdsOf,
  retryDelayMsOf,
  startTestSim,
  textRequest,
  type TestSim,
} from './sim-harness';

const FLASH = 'gemini-2.5-flash';
const LITE = 'gemini-2.5-flash-lite';
const KEY = 'AQ.Ab8LimitKey-0001';
const LIMITS = { [FLASH]: { rpm: 10, tpm: 10_000, rpd: 100 }, [LITE]: { rpm: 10, tpm: 10_000, rpd: 100 } };

const body = (texts: string[]) => ({
  batch: {
    inputConfig: {
      requests: { requests: texts.map((t, i) => ({ request: textRequest(t), metadata: { key: `${i}` } })) },
    },
  },
});

describe('Batch Mode limits and scripted outcomes', () => {
  let sim: TestSim;
  let ai: GoogleGenAI;
  const create = (texts: string[], model = FLASH) =>
    sim.request('POST', `/v1beta/models/${model}:batchGenerateContent`, body(texts), {
      'x-goog-api-key': KEY,
    });

  beforeAll(async () => {
    sim = await startTestSim({
      batchMode: {
        pendingMs: 0,
        turnaroundMs: 10_000,
        maxConcurrentJobs: 2,
        enqueuedTokens: { [FLASH]: 100 },
        defaultEnqueuedTokens: 1_000,
        maxInlineBytes: 2_000,
      },
      projects: [{ id: 'p', limits: LIMITS, keys: [KEY] }],
    });
    ai = genaiFor(sim, KEY);
  });
  afterAll(() => sim.close());
  beforeEach(() => sim.clock.advance(60_000)); // every test starts with no job running

  it('refuses a job that would pass the enqueued tokens of its model, with the wait until room frees', async () => {
    expect((await create([promptOf(60, 'a')])).status).toBe(200);
    sim.clock.advance(4_000);
    const refused = await create([promptOf(50, 'b')]);
    expect(refused.status).toBe(429);
    expect(refused.json.error.status).toBe('RESOURCE_EXHAUSTED');
    expect(quotaIdsOf(refused.json)).toEqual(['BatchEnqueuedTokensPerModelPerProject']);
    expect(refused.json.error.details[0].violations[0].quotaValue).toBe('100');
    expect(retryDelayMsOf(refused.json)).toBe(6_000);
    expect((await create([promptOf(50, 'c')], LITE)).status).toBe(200); // another model's own budget
    expect((await sim.stats()).totals.batchMode.refused429).toBe(1);
  });

  it('refuses a third concurrent job, and the SDK surfaces it as ApiError 429', async () => {
    expect((await create(['one'])).status).toBe(200);
    expect((await create(['two'])).status).toBe(200);
    const error = await ai.batches
      .create({ model: FLASH, src: [{ contents: 'three' }] })
      .catch((e: unknown) => e);
    expect((error as { status: number }).status).toBe(429);
    expect(quotaIdsOf(JSON.parse((error as Error).message))).toEqual(['BatchConcurrentJobsPerProject']);
    sim.clock.advance(10_000);
    expect((await create(['four'])).status).toBe(200);
  });

  it('a project’s own batchLimits win over the global ones', async () => {
    await sim.request('POST', '/sim/projects', {
      id: 'big',
      limits: LIMITS,
      keys: ['AQ.Ab8LimitKey-0009'],
      batchLimits: { maxConcurrentJobs: 1, enqueuedTokens: { [FLASH]: 1_000 } },
    });
    const make = () =>
      sim.request('POST', `/v1beta/models/${FLASH}:batchGenerateContent`, body([promptOf(300)]), {
        'x-goog-api-key': 'AQ.Ab8LimitKey-0009',
      });
    expect((await make()).status).toBe(200); // 300 tokens: over the global 100, within its own 1000
    const second = await make();
    expect(quotaIdsOf(second.json)).toEqual(['BatchConcurrentJobsPerProject']);
    expect(second.json.error.details[0].violations[0].quotaValue).toBe('1');
  });

  it('refuses an inline body over the size limit with Google’s 400', async () => {
    const refused = await create([promptOf(600)]);
    expect(refused.status).toBe(400);
    expect(refused.json.error).toEqual({
      code: 400,
      message: 'Request payload size exceeds the limit: 2000 bytes.',
      status: 'INVALID_ARGUMENT',
    });
  });

  it('a scripted expire ends the job EXPIRED without results; the interactive quota is untouched', async () => {
    const faults = { batchScript: [{ outcome: 'expire', count: 1, model: FLASH }] };
    expect((await sim.request('PUT', '/sim/faults', faults)).status).toBe(200);
    const job = await ai.batches.create({ model: FLASH, src: [{ contents: 'will expire' }] });
    sim.clock.advance(9_999);
    expect((await ai.batches.get({ name: job.name ?? '' })).state).toBe(JobState.JOB_STATE_RUNNING);
    sim.clock.advance(1);
    const expired = await ai.batches.get({ name: job.name ?? '' });
    expect(expired.state).toBe(JobState.JOB_STATE_EXPIRED);
    expect(expired.dest).toBeUndefined();
    const stats = await sim.stats();
    expect(stats.totals.batchMode.jobsExpired).toBe(1);
    expect(stats.projects.p[FLASH].admitted).toBe(0);
  });

  it('scripted failures: a FAILED job, then a job whose every 2nd request is an error line', async () => {
    const batchScript = [
      { outcome: 'fail', count: 1 },
      { outcome: 'failRequests', count: 1, failEvery: 2 },
    ];
    await sim.request('PUT', '/sim/faults', { batchScript });
    const failed = await create(['x']);
    const partial = await create(['a', 'b', 'c', 'd']);
    sim.clock.advance(10_000);
    const failedJob = await ai.batches.get({ name: failed.json.name });
    expect(failedJob.state).toBe(JobState.JOB_STATE_FAILED);
    const done = await sim.request('GET', `/v1beta/${partial.json.name}`, undefined, {
      'x-goog-api-key': KEY,
    });
    const entries = done.json.metadata.output.inlinedResponses.inlinedResponses as { error?: unknown }[];
    expect(entries.map((e) => e.error !== undefined)).toEqual([false, true, false, true]);
    expect(done.json.metadata.batchStats).toEqual({
      requestCount: '4',
      successfulRequestCount: '2',
      failedRequestCount: '2',
    });
  });

  it('a job whose turnaround passes expireAfterMs expires then', async () => {
    await sim.request('PUT', '/sim/config', {
      batchMode: { pendingMs: 0, turnaroundMs: 10_000, expireAfterMs: 3_000 },
      projects: [{ id: 'p', limits: LIMITS, keys: [KEY] }],
    });
    const job = await create(['slow']);
    sim.clock.advance(3_000);
    const expired = await ai.batches.get({ name: job.json.name });
    expect(expired.state).toBe(JobState.JOB_STATE_EXPIRED);
  });
});
