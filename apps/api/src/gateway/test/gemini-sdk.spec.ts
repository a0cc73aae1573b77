// The official @google/genai SDK against keyfleet: only baseUrl and apiKey change.
import { createHash } from 'node:crypto';
import { ApiError, GoogleGenAI } from '@google/genai';
import { bootGateway, FLASH, jestFetch, simProject, type Gateway } from './gateway-harness';

const LITE = 'gemini-2.5-flash-lite'; // a model whose pool holds one request a minute
const COUNTED = 'gemini-2.0-flash'; // a model only the token-correction test uses
const KEYS = { a: 'AQ.Ab8GatewayProjectA000001', b: 'AQ.Ab8GatewayProjectB000002' };
const BIG = { rpm: 1000, tpm: 1_000_000, rpd: 100_000 };
const ONE = { rpm: 1, tpm: 1_000_000, rpd: 100_000 };

/** The simulator's answer to a prompt. */
const simAnswer = (prompt: string) => `sim:${createHash('sha1').update(prompt).digest('hex').slice(0, 12)}`;

describe('@google/genai against keyfleet (Gemini-native endpoints)', () => {
  let gw: Gateway;
  let ai: GoogleGenAI;
  const sdk = (apiKey: string) =>
    new GoogleGenAI({ apiKey, httpOptions: { baseUrl: gw.url, apiVersion: 'v1beta', fetch: jestFetch } });

  beforeAll(async () => {
    gw = await bootGateway(
      {
        projects: [
          simProject('sim-a', { [FLASH]: BIG, [LITE]: ONE, [COUNTED]: BIG }, [KEYS.a]),
          simProject('sim-b', { [FLASH]: BIG }, [KEYS.b]),
        ],
      },
      { KF_INTERACTIVE_MAX_WAIT_MS: '500' },
    );
    await gw.addProject('project-a', { [FLASH]: BIG, [LITE]: ONE, [COUNTED]: BIG }, [KEYS.a]);
    await gw.addProject('project-b', { [FLASH]: BIG }, [KEYS.b]);
    ai = sdk(gw.clientKey);
  }, 60_000);
  afterAll(() => gw?.close());

  it('generateContent answers as the upstream does, with usage', async () => {
    const response = await ai.models.generateContent({ model: FLASH, contents: 'What is keyfleet?' });
    expect(response.text).toBe(simAnswer('What is keyfleet?'));
    expect(response.usageMetadata?.promptTokenCount).toBeGreaterThan(0);
  });

  it('generateContentStream yields the chunks of the same answer', async () => {
    const stream = await ai.models.generateContentStream({ model: FLASH, contents: 'stream please' });
    const texts: string[] = [];
    for await (const chunk of stream) texts.push(chunk.text ?? '');
    expect(texts.length).toBeGreaterThanOrEqual(2);
    expect(texts.join('')).toBe(simAnswer('stream please'));
  });

  it('countTokens answers without using generation quota', async () => {
    const before = (await gw.sim.stats()).totals.admitted;
    const counted = await ai.models.countTokens({ model: FLASH, contents: 'twelve chars' });
    expect(counted.totalTokens).toBe(3);
    expect((await gw.sim.stats()).totals.admitted).toBe(before);
  });

  it('lists the models the pool serves', async () => {
    const pager = await ai.models.list();
    const names: string[] = [];
    for await (const model of pager) names.push(model.name ?? '');
    expect(names.sort()).toEqual([`models/${COUNTED}`, `models/${FLASH}`, `models/${LITE}`]);
    const flash = await ai.models.get({ model: FLASH });
    expect(flash.displayName).toBe('Gemini 2.5 Flash');
  });

  it('a bad client key is a 401 ApiError; an unknown model a 404', async () => {
    const bad: unknown = await sdk('kf_not-a-real-key')
      .models.generateContent({ model: FLASH, contents: 'x' })
      .catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(ApiError);
    expect((bad as ApiError).status).toBe(401);
    const unknown: unknown = await ai.models
      .generateContent({ model: 'gemini-9-ultra', contents: 'x' })
      .catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(ApiError);
    expect((unknown as ApiError).status).toBe(404);
    expect(JSON.parse((unknown as ApiError).message).error.status).toBe('NOT_FOUND');
  });

  it('past KF_INTERACTIVE_MAX_WAIT_MS: a 429 in Google’s shape with RetryInfo and Retry-After', async () => {
    await ai.models.generateContent({ model: LITE, contents: 'the only one this minute' });
    const started = Date.now();
    const refused: unknown = await ai.models
      .generateContent({ model: LITE, contents: 'one too many' })
      .catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(2000); // the engine knew the wait: no pointless waiting
    expect(refused).toBeInstanceOf(ApiError);
    expect((refused as ApiError).status).toBe(429);
    const body = JSON.parse((refused as ApiError).message) as QuotaBody;
    expect(body.error).toMatchObject({ code: 429, status: 'RESOURCE_EXHAUSTED' });
    const retryInfo = body.error.details.find((d) => d['@type'].endsWith('RetryInfo'));
    const retrySeconds = Number.parseInt(retryInfo?.retryDelay ?? '', 10);
    expect(retryInfo?.retryDelay).toMatch(/^\d+s$/);
    expect(retrySeconds).toBeGreaterThan(50);

    const raw = await fetch(`${gw.url}/v1beta/models/${LITE}:generateContent`, {
      method: 'POST',
      headers: { 'x-goog-api-key': gw.clientKey, 'content-type': 'application/json' },
      body: JSON.stringify({ contents: [{ parts: [{ text: 'again' }] }] }),
    });
    expect(raw.status).toBe(429);
    expect(Number(raw.headers.get('retry-after'))).toBe(retrySeconds);
    expect((await gw.sim.stats()).totals.refused429).toBe(0); // keyfleet refused, Google never had to
  });

  it('absorbs an upstream 429 by blocking that project and answering from another', async () => {
    await gw.sim.setFaults({ script: [{ status: 429, count: 1, projectId: 'sim-a', model: FLASH }] });
    for (let i = 0; i < 4; i++) {
      const response = await ai.models.generateContent({ model: FLASH, contents: `absorbed ${i}` });
      expect(response.text).toBe(simAnswer(`absorbed ${i}`));
    }
    const stats = await gw.sim.stats();
    expect(stats.projects['sim-a'][FLASH].refused429).toBe(1);
  });

  it('takes the client key from ?key= and from a bearer header too', async () => {
    const body = JSON.stringify({ contents: [{ parts: [{ text: 'by query' }] }] });
    const headers = { 'content-type': 'application/json' };
    const byQuery = await fetch(`${gw.url}/v1beta/models/${FLASH}:generateContent?key=${gw.clientKey}`, {
      method: 'POST',
      headers,
      body,
    });
    expect(byQuery.status).toBe(200);
    const byBearer = await fetch(`${gw.url}/v1beta/models/${FLASH}:generateContent`, {
      method: 'POST',
      headers: { ...headers, authorization: `Bearer ${gw.clientKey}` },
      body,
    });
    expect(byBearer.status).toBe(200);
  });

  it('corrects the reservation to the real promptTokenCount, streamed or not', async () => {
    const tokensInWindow = async () => {
      const { body } = await gw.api.admin<{ quota: QuotaRow[] }>('GET', '/quota');
      return body.quota
        .filter((row) => row.model === COUNTED)
        .reduce((sum, row) => sum + row.window.tokens, 0);
    };
    // The estimate counts the function response's JSON too (over 100 tokens); the sim counts text only (25).
    const prompt = [
      {
        role: 'user',
        parts: [
          { text: 'word '.repeat(20) },
          { functionResponse: { name: 'lookup', response: { result: 'z'.repeat(400) } } },
        ],
      },
    ];
    const response = await ai.models.generateContent({ model: COUNTED, contents: prompt });
    const actual = response.usageMetadata?.promptTokenCount ?? 0;
    expect(actual).toBe(25);
    await eventually(async () => (await tokensInWindow()) === actual);
    let streamed = 0;
    for await (const chunk of await ai.models.generateContentStream({ model: COUNTED, contents: prompt }))
      streamed = chunk.usageMetadata?.promptTokenCount ?? streamed;
    expect(streamed).toBe(actual);
    await eventually(async () => (await tokensInWindow()) === 2 * actual);
  });
});

interface QuotaBody {
  error: { code: number; status: string; details: Array<{ '@type': string; retryDelay?: string }> };
}

interface QuotaRow {
  model: string;
  window: { requests: number; tokens: number };
}

async function eventually(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
