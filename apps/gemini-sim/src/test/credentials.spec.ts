// Where the key may come: one place only for an auth key; `/v1` and `/v1beta` both served.
import { startTestSim, textRequest, type TestSim } from './sim-harness';

const FLASH = 'gemini-2.5-flash';
const AUTH_KEY = 'AQ.CredentialsSpecKey0001';
const CHAT = { model: FLASH, messages: [{ role: 'user', content: 'hi' }] };

describe('credentials and API versions', () => {
  let sim: TestSim;

  beforeAll(async () => {
    sim = await startTestSim({
      projects: [
        { id: 'pc', limits: { [FLASH]: { rpm: 100, tpm: 1_000_000, rpd: 1000 } }, keys: [AUTH_KEY] },
      ],
    });
  });
  afterAll(() => sim.close());

  it('an auth key in x-goog-api-key and as a bearer token at once: 400, on both surfaces', async () => {
    const both = { 'x-goog-api-key': AUTH_KEY, authorization: `Bearer ${AUTH_KEY}` };
    const native = await sim.request(
      'POST',
      `/v1beta/models/${FLASH}:generateContent`,
      textRequest('x'),
      both,
    );
    expect(native.status).toBe(400);
    expect(native.json.error).toMatchObject({
      status: 'INVALID_ARGUMENT',
      message: expect.stringContaining('Multiple authentication credentials received'),
    });
    const openAi = await sim.request('POST', '/v1beta/openai/chat/completions', CHAT, both);
    expect(openAi.status).toBe(400);
    expect(openAi.json[0].error.message).toContain('Multiple authentication credentials received');
  });

  it('the same key in one place works: x-goog-api-key on the OpenAI-compatible endpoint, or a bearer', async () => {
    const byHeader = await sim.request('POST', '/v1beta/openai/chat/completions', CHAT, {
      'x-goog-api-key': AUTH_KEY,
    });
    expect(byHeader.status).toBe(200);
    const byBearer = await sim.request('POST', '/v1beta/openai/chat/completions', CHAT, {
      authorization: `Bearer ${AUTH_KEY}`,
    });
    expect(byBearer.status).toBe(200);
  });

  it('serves /v1 like /v1beta and counts requests per version', async () => {
    const before = (await sim.stats()).totals.byApiVersion;
    const v1 = await sim.request('POST', `/v1/models/${FLASH}:generateContent`, textRequest('v1'), {
      'x-goog-api-key': AUTH_KEY,
    });
    expect(v1.status).toBe(200);
    const after = (await sim.stats()).totals.byApiVersion;
    expect((after.v1 ?? 0) - (before.v1 ?? 0)).toBe(1);
  });
});
