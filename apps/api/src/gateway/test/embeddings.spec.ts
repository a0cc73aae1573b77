// Embeddings through keyfleet with the SDKs as their docs show them: each content is one request under
// the embedding model's own limits, spread over the pool; the answers come back in order.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import OpenAI, { RateLimitError } from 'openai';
import { bootGateway, simProject, type Gateway } from './gateway-harness';

const EMBED = 'gemini-embedding-001';
const KEYS = { a: 'AQ.EmbeddingsGatewayA0001', b: 'AQ.EmbeddingsGatewayB0002' };
const FOUR = { rpm: 4, tpm: 1_000_000, rpd: 1000 };

// Plain Node, only apiKey and baseUrl: embedContent with several contents is the SDK's batchEmbedContents.
const GENAI_SCRIPT = `
const { GoogleGenAI } = require('@google/genai');
const ai = new GoogleGenAI({ apiKey: process.env.KEY, httpOptions: { baseUrl: process.env.BASE_URL } });
const config = { outputDimensionality: 4 };
(async () => {
  const batch = await ai.models.embedContent({ model: process.env.MODEL, contents: ['one', 'two', 'three', 'four'], config });
  const alone = await ai.models.embedContent({ model: process.env.MODEL, contents: 'three', config });
  console.log(JSON.stringify({ values: batch.embeddings.map((e) => e.values), three: alone.embeddings[0].values }));
})().catch((e) => console.log(JSON.stringify({ failed: String(e) })));
`;

describe('embeddings through keyfleet (@google/genai and openai)', () => {
  let gw: Gateway;

  beforeAll(async () => {
    gw = await bootGateway(
      {
        projects: [
          simProject('sim-a', { [EMBED]: FOUR }, [KEYS.a]),
          simProject('sim-b', { [EMBED]: FOUR }, [KEYS.b]),
        ],
      },
      { KF_INTERACTIVE_MAX_WAIT_MS: '300' },
    );
    await gw.addProject('project-a', { [EMBED]: FOUR }, [KEYS.a]);
    await gw.addProject('project-b', { [EMBED]: FOUR }, [KEYS.b]);
  }, 60_000);
  afterAll(() => gw?.close());

  it('a batch of four contents goes as four requests over both projects, answers in order, no upstream 429', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', GENAI_SCRIPT], {
      env: { ...process.env, KEY: gw.clientKey, BASE_URL: gw.url, MODEL: EMBED },
      timeout: 30_000,
    });
    const run = JSON.parse(stdout.trim()) as { failed?: string; values: number[][]; three: number[] };
    expect(run.failed).toBeUndefined();
    expect(run.values).toHaveLength(4);
    expect(run.values.every((values) => values.length === 4)).toBe(true);
    expect(new Set(run.values.map((values) => values.join())).size).toBe(4);
    // In order: the third content's vector is the one "three" gets on its own (the simulator's is a hash).
    expect(run.values[2]).toEqual(run.three);
    const stats = await gw.sim.stats();
    // Five requests (a batch of four, then one), over two projects of 4 RPM each: both were used.
    expect(stats.projects['sim-a'][EMBED].admitted + stats.projects['sim-b'][EMBED].admitted).toBe(5);
    expect(
      Math.min(stats.projects['sim-a'][EMBED].admitted, stats.projects['sim-b'][EMBED].admitted),
    ).toBeGreaterThan(0);
    expect(stats.totals.refused429).toBe(0);
  }, 60_000);

  it('openai embeddings.create: one entry per input with its index and summed usage; past the pool a 429', async () => {
    // maxRetries: 0 (the SDK's documented option), or it would sit out keyfleet's Retry-After and succeed.
    const client = new OpenAI({ apiKey: gw.clientKey, baseURL: `${gw.url}/v1`, maxRetries: 0 });
    // Three of the pool's eight a minute are left.
    const answer = await client.embeddings.create({
      model: EMBED,
      input: ['alpha', 'beta', 'gamma'],
      dimensions: 4,
    });
    expect(answer.data.map((entry) => entry.index)).toEqual([0, 1, 2]);
    expect(answer.data.every((entry) => entry.embedding.length === 4)).toBe(true);
    expect(answer.usage.prompt_tokens).toBeGreaterThan(0);
    const refused: unknown = await client.embeddings
      .create({ model: EMBED, input: 'no room left', dimensions: 4 })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(RateLimitError);
    expect((await gw.sim.stats()).totals.refused429).toBe(0); // keyfleet refused, Google never had to
  }, 60_000);
});
