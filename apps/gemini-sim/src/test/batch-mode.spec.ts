// Batch Mode through the real @google/genai client: inline jobs, their states over time, results in order,
// list and cancel. The simulator's clock moves the jobs (turnaround 10 s here).
import { JobState, type GoogleGenAI } from '@google/genai';
import { answerTextFor } from '../content';
import { embeddingOf } from '../embeddings';
import { genaiFor, startTestSim, type TestSim } from './sim-harness';

const FLASH = 'gemini-2.5-flash';
const KEY = 'AQ.Ab8BatchKey-0001';
const OTHER = 'AQ.Ab8BatchKey-0002';
const LIMITS = { [FLASH]: { rpm: 1, tpm: 1000, rpd: 1 } };

const inline = (texts: string[]) =>
  texts.map((text, index) => ({ contents: text, metadata: { key: `k${index}` } }));

function firstText(response: unknown): string | undefined {
  return (response as { candidates?: { content?: { parts?: { text?: string }[] } }[] })?.candidates?.[0]
    ?.content?.parts?.[0]?.text;
}

describe('Batch Mode (inline) with @google/genai', () => {
  let sim: TestSim;
  let ai: GoogleGenAI;
  beforeAll(async () => {
    sim = await startTestSim({
      batchMode: { pendingMs: 2_000, turnaroundMs: 10_000 },
      prices: { [FLASH]: { input: 1, output: 1 } },
      projects: [
        { id: 'p', limits: LIMITS, keys: [KEY] },
        { id: 'q', limits: LIMITS, keys: [OTHER] },
      ],
    });
    ai = genaiFor(sim, KEY);
  });
  afterAll(() => sim.close());

  it('goes PENDING → RUNNING → SUCCEEDED and answers every request in input order', async () => {
    const texts = ['first prompt', 'second prompt', 'third prompt'];
    const job = await ai.batches.create({
      model: FLASH,
      src: inline(texts),
      config: { displayName: 'three' },
    });
    expect(job.name).toMatch(/^batches\/[a-z0-9]{36}$/);
    expect(job.state).toBe(JobState.JOB_STATE_PENDING);
    expect(job.displayName).toBe('three');
    sim.clock.advance(2_000);
    expect((await ai.batches.get({ name: job.name ?? '' })).state).toBe(JobState.JOB_STATE_RUNNING);
    sim.clock.advance(8_000);
    const done = await ai.batches.get({ name: job.name ?? '' });
    expect(done.state).toBe(JobState.JOB_STATE_SUCCEEDED);
    expect(done.endTime).toBeDefined();
    const responses = done.dest?.inlinedResponses ?? [];
    expect(responses.map((r) => r.metadata)).toEqual([{ key: 'k0' }, { key: 'k1' }, { key: 'k2' }]);
    expect(responses.map((r) => firstText(r.response))).toEqual(texts.map((t) => answerTextFor([t])));
    expect(responses[0].response?.usageMetadata?.promptTokenCount).toBe(3);
  });

  it('uses no interactive quota, charges half price and counts jobs and requests in the stats', async () => {
    const stats = await sim.stats();
    expect(stats.projects.p[FLASH].admitted).toBe(0);
    // Three requests of 3 input and 4 output tokens at $1/M: 7 micro-dollars each, half (3.5) rounded up to 4.
    expect(stats.totals.batchMode).toMatchObject({ jobsCreated: 1, jobsSucceeded: 1, requestsAnswered: 3 });
    expect(stats.totals.batchMode.spendMicros).toBe(12);
    expect(stats.spend.p.admittedMicros).toBe(12);
    expect((await sim.generate(KEY, 'interactive')).status).toBe(200);
  });

  it('cancels a pending or running job, and refuses to cancel a finished one', async () => {
    const job = await ai.batches.create({ model: FLASH, src: inline(['to cancel']) });
    await ai.batches.cancel({ name: job.name ?? '' });
    const cancelled = await ai.batches.get({ name: job.name ?? '' });
    expect(cancelled.state).toBe(JobState.JOB_STATE_CANCELLED);
    expect(cancelled.dest).toBeUndefined();
    const again = await sim.request('POST', `/v1beta/${job.name}:cancel`, {}, { 'x-goog-api-key': KEY });
    expect(again.status).toBe(400);
    expect(again.json.error.status).toBe('FAILED_PRECONDITION');
  });

  it('lists a project’s jobs newest first, page by page; another project sees none of them', async () => {
    const names: string[] = [];
    const pager = await ai.batches.list({ config: { pageSize: 1 } });
    for await (const job of pager) names.push(job.name ?? '');
    expect(names).toHaveLength(2);
    const other = await sim.request('GET', '/v1beta/batches', undefined, { 'x-goog-api-key': OTHER });
    expect(other.json).toEqual({ operations: [] });
    const foreign = await sim.request('GET', `/v1beta/${names[0]}`, undefined, { 'x-goog-api-key': OTHER });
    expect(foreign.status).toBe(404);
    expect(foreign.json.error.status).toBe('NOT_FOUND');
  });

  it('deletes a job', async () => {
    const job = await ai.batches.create({ model: FLASH, src: inline(['to delete']) });
    await ai.batches.delete({ name: job.name ?? '' });
    const gone = await sim.request('GET', `/v1beta/${job.name}`, undefined, { 'x-goog-api-key': KEY });
    expect(gone.status).toBe(404);
  });

  it('runs an embeddings job (asyncBatchEmbedContent) with the same vectors as embedContent', async () => {
    jest.spyOn(console, 'warn').mockImplementation(() => undefined); // the SDK calls createEmbeddings experimental
    const job = await ai.batches.createEmbeddings({
      model: 'gemini-embedding-001',
      src: { inlinedRequests: { contents: ['one', 'two'], config: { outputDimensionality: 4 } } },
    });
    sim.clock.advance(10_000);
    const done = await ai.batches.get({ name: job.name ?? '' });
    expect(done.state).toBe(JobState.JOB_STATE_SUCCEEDED);
    const vectors = (done.dest?.inlinedEmbedContentResponses ?? []).map((r) => r.response?.embedding?.values);
    expect(vectors).toEqual([embeddingOf('one', 4), embeddingOf('two', 4)]);
  });

  it('an invalid request fails alone, with an error entry in its place', async () => {
    const body = {
      batch: {
        input_config: {
          requests: { requests: [{ request: { contents: [] }, metadata: { key: 'bad' } }, ...wire(['ok'])] },
        },
      },
    };
    const created = await sim.request('POST', `/v1beta/models/${FLASH}:batchGenerateContent`, body, {
      'x-goog-api-key': KEY,
    });
    expect(created.status).toBe(200);
    sim.clock.advance(10_000);
    const done = await ai.batches.get({ name: created.json.name });
    const responses = done.dest?.inlinedResponses ?? [];
    expect(responses[0]).toMatchObject({ metadata: { key: 'bad' }, error: { code: 3 } });
    expect(firstText(responses[1].response)).toBe(answerTextFor(['ok']));
  });
});

function wire(texts: string[]) {
  return texts.map((text) => ({ request: { contents: [{ role: 'user', parts: [{ text }] }] } }));
}
