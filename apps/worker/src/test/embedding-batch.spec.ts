import { admin, call, eventually } from './http-helpers';
import { registerClient, startStack, type Stack } from './stack';

const EMBED_MODEL = 'gemini-embedding-001';
const KEYS = { p1: 'AQ.ASimKeyEmbedProjectOne01', p2: 'AQ.ASimKeyEmbedProjectTwo02' };
const COUNT = 40;
const LIMITS = { rpm: 1000, tpm: 1_000_000, rpd: 100_000 };

const embedRequest = (text: string) => ({
  content: { parts: [{ text }] },
  taskType: 'RETRIEVAL_DOCUMENT',
  outputDimensionality: 8,
});

interface ResultLine {
  key: string;
  response?: { embedding: { values: number[] } };
  error?: unknown;
}

describe('a batch of an embedding model: EmbedContentRequest items, one embedContent each', () => {
  let stack: Stack;
  let clientKey: string;

  beforeAll(async () => {
    stack = await startStack({
      latencyMs: { min: 2, max: 10 },
      projects: [
        { id: 'sim-e1', tier: 'paid', limits: { [EMBED_MODEL]: LIMITS }, keys: [KEYS.p1] },
        { id: 'sim-e2', tier: 'paid', limits: { [EMBED_MODEL]: LIMITS }, keys: [KEYS.p2] },
      ],
    });
    for (const [name, secret] of [
      ['embed-one', KEYS.p1],
      ['embed-two', KEYS.p2],
    ] as const) {
      const project = await admin<{ id: string }>(stack.apiUrl, 'POST', '/projects', {
        name,
        limits: { [EMBED_MODEL]: LIMITS },
      });
      await admin(stack.apiUrl, 'POST', `/projects/${project.id}/keys`, { secret });
    }
    clientKey = await registerClient(stack.apiUrl, 'team-embed');
    await stack.startWorker();
  }, 60_000);

  afterAll(async () => {
    await stack?.close();
  });

  it('answers every item with the vector Google gives the same request, in order, each counted once', async () => {
    const texts = Array.from({ length: COUNT }, (_, i) => `document ${i}: ${'lorem '.repeat(i % 7)}`);
    const submitted = await call(`${stack.apiUrl}/v1/batches`, {
      token: clientKey,
      json: {
        model: EMBED_MODEL,
        requests: texts.map((text, i) => ({ key: `doc-${i}`, request: embedRequest(text) })),
      },
    });
    expect(submitted.status).toBe(202);
    const { id } = submitted.body as { id: string };
    await eventually(async () => {
      const batch = (await call(`${stack.apiUrl}/v1/batches/${id}`, { token: clientKey })).body as {
        status: string;
      };
      return batch.status === 'completed' ? batch : undefined;
    });

    const results = await call(`${stack.apiUrl}/v1/batches/${id}/results`, { token: clientKey });
    const lines = results.text
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as ResultLine);
    expect(lines.map((line) => line.key)).toEqual(texts.map((_, i) => `doc-${i}`));

    // The same request straight to the simulator's embedContent: the vector must be the same.
    for (const i of [0, 13, COUNT - 1]) {
      const direct = await call(`${stack.sim.url}/v1beta/models/${EMBED_MODEL}:embedContent`, {
        headers: { 'x-goog-api-key': KEYS.p1 },
        json: embedRequest(texts[i] ?? ''),
      });
      expect(direct.status).toBe(200);
      const { embedding } = direct.body as { embedding: { values: number[] } };
      expect(lines[i]?.response?.embedding.values).toEqual(embedding.values);
    }
    expect(lines.every((line) => line.response?.embedding.values.length === 8)).toBe(true);

    // Accounted at the estimate (Google's embedding answers count no tokens), at gemini-embedding-001's
    // input price ($0.15 per million), nothing for output.
    const [usage] = await (
      await stack.db.dataSource()
    ).query(
      `SELECT count(*)::int AS records, sum(input_tokens)::int AS input, sum(output_tokens)::int AS output,
              sum(cost_micro_usd)::float AS cost
       FROM usage_records WHERE batch_id = $1`,
      [id],
    );
    expect(usage.records).toBe(COUNT);
    expect(usage.input).toBeGreaterThanOrEqual(COUNT);
    expect(usage.output).toBe(0);
    expect(usage.cost).toBeCloseTo(usage.input * 0.15, 3);

    const stats = await stack.sim.stats();
    expect(stats.totals.refused429).toBe(0);
    // Each item one request upstream (plus the three direct calls above), spread over both projects.
    expect(stats.totals.admitted).toBe(COUNT + 3);
    expect(stats.projects['sim-e1']?.[EMBED_MODEL]?.admitted ?? 0).toBeGreaterThan(0);
    expect(stats.projects['sim-e2']?.[EMBED_MODEL]?.admitted ?? 0).toBeGreaterThan(0);
  }, 60_000);

  it('refuses a GenerateContentRequest item in an embedding batch with 400 naming it, storing nothing', async () => {
    const answer = await call(`${stack.apiUrl}/v1/batches`, {
      token: clientKey,
      json: {
        model: EMBED_MODEL,
        requests: [
          { key: 'ok', request: embedRequest('fine') },
          { key: 'bad', request: { contents: [{ parts: [{ text: 'not an embedding request' }] }] } },
        ],
      },
    });
    expect(answer.status).toBe(400);
    expect(answer.text).toContain('requests[1].request.content: must be one Content object');
    const [row] = await (await stack.db.dataSource()).query(`SELECT count(*)::int AS n FROM batch_items`);
    expect(row).toEqual({ n: COUNT });
  });
});
