// embedContent, batchEmbedContents and the OpenAI-compatible embeddings: vectors, and quota per content.
import { embeddingOf } from '../embeddings';
import { startTestSim, type TestSim } from './sim-harness';

const EMBED = 'gemini-embedding-001';
const KEY = 'AQ.EmbeddingsSpecKey0001';
const content = (text: string) => ({ parts: [{ text }] });

describe('embeddings', () => {
  let sim: TestSim;
  const post = (path: string, body: unknown) => sim.request('POST', path, body, { 'x-goog-api-key': KEY });

  beforeEach(async () => {
    sim = await startTestSim({
      projects: [{ id: 'pe', limits: { [EMBED]: { rpm: 5, tpm: 1_000_000, rpd: 1000 } }, keys: [KEY] }],
    });
  });
  afterEach(() => sim.close());

  it('embedContent answers the same vector for the same text, of the size asked', async () => {
    const answer = await post(`/v1beta/models/${EMBED}:embedContent`, {
      content: content('hello'),
      outputDimensionality: 8,
    });
    expect(answer.status).toBe(200);
    expect(answer.json.embedding.values).toEqual(embeddingOf('hello', 8));
    const full = await post(`/v1/models/${EMBED}:embedContent`, { content: content('hello') });
    expect(full.json.embedding.values).toHaveLength(3072);
    expect((full.json as { embedding: { values: number[] } }).embedding.values.slice(0, 8)).toEqual(
      embeddingOf('hello', 8),
    );
  });

  it('batchEmbedContents counts one request per content, in order; past the minute a 429', async () => {
    const requests = ['a', 'b', 'c'].map((text) => ({
      model: `models/${EMBED}`,
      content: content(text),
      outputDimensionality: 4,
    }));
    const answer = await post(`/v1beta/models/${EMBED}:batchEmbedContents`, { requests });
    expect(answer.status).toBe(200);
    const { embeddings } = answer.json as { embeddings: Array<{ values: number[] }> };
    expect(embeddings.map((e) => e.values)).toEqual(['a', 'b', 'c'].map((text) => embeddingOf(text, 4)));
    expect((await sim.stats()).projects.pe[EMBED].admitted).toBe(3);
    // 3 of 5 used: a batch of 3 more does not fit in the minute.
    const refused = await post(`/v1beta/models/${EMBED}:batchEmbedContents`, { requests });
    expect(refused.status).toBe(429);
    expect(refused.json.error.status).toBe('RESOURCE_EXHAUSTED');
  });

  it('refuses more than 100 contents in one batch, naming the field', async () => {
    const requests = Array.from({ length: 101 }, () => ({ content: content('x') }));
    const answer = await post(`/v1beta/models/${EMBED}:batchEmbedContents`, { requests });
    expect(answer.status).toBe(400);
    expect(answer.json.error.message).toContain('BatchEmbedContentsRequest.requests: at most 100 requests');
    expect((await sim.stats()).totals.admitted).toBe(0);
  });

  it('the OpenAI-compatible embeddings: one entry per input, usage, each input one request', async () => {
    const answer = await post('/v1beta/openai/embeddings', {
      model: EMBED,
      input: ['x', 'yy'],
      dimensions: 4,
    });
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({
      object: 'list',
      model: EMBED,
      data: [
        { object: 'embedding', index: 0, embedding: embeddingOf('x', 4) },
        { object: 'embedding', index: 1, embedding: embeddingOf('yy', 4) },
      ],
      usage: { prompt_tokens: 1, total_tokens: 1 },
    });
    expect((await sim.stats()).projects.pe[EMBED].admitted).toBe(2);
  });
});
