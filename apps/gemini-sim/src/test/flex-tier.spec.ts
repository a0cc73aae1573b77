// The Flex service tier: requested through @google/genai's config.serviceTier (or service_tier, or the
// OpenAI route's service_tier), answered with x-gemini-service-tier, charged half, shed with 503 on demand.
import { ApiError, ServiceTier, type GoogleGenAI } from '@google/genai';
import { genaiFor, promptOf, startTestSim, textRequest, type TestSim } from './sim-harness';

const FLASH = 'gemini-2.5-flash';
const KEY = 'AQ.Ab8FlexKey-0001';

describe('Flex service tier', () => {
  let sim: TestSim;
  let ai: GoogleGenAI;
  beforeAll(async () => {
    sim = await startTestSim({
      prices: { [FLASH]: { input: 1, output: 1 } },
      projects: [{ id: 'p', limits: { [FLASH]: { rpm: 6, tpm: 100_000, rpd: 1000 } }, keys: [KEY] }],
    });
    ai = genaiFor(sim, KEY);
  });
  afterAll(() => sim.close());

  const flex = (text: string) =>
    ai.models.generateContent({ model: FLASH, contents: text, config: { serviceTier: ServiceTier.FLEX } });

  it('says which tier served each answer and charges Flex half the standard price', async () => {
    const standard = await ai.models.generateContent({ model: FLASH, contents: promptOf(40, 's') });
    expect(standard.sdkHttpResponse?.headers?.['x-gemini-service-tier']).toBe('standard');
    const before = (await sim.stats()).spend.p.admittedMicros;
    expect(before).toBe(44); // 40 input + 4 output tokens at $1/M
    const cheap = await flex(promptOf(40, 'f'));
    expect(cheap.sdkHttpResponse?.headers?.['x-gemini-service-tier']).toBe('flex');
    const stats = await sim.stats();
    expect(stats.spend.p.admittedMicros - before).toBe(22);
    expect(stats.totals.flex).toEqual({ requests: 1, admitted: 1, shed: 0, spendMicros: 22 });
    expect(stats.projects.p[FLASH].admitted).toBe(2); // Flex counts against RPM/TPM/RPD
  });

  it('sheds a Flex request with Google’s 503 UNAVAILABLE when scripted; standard is never shed', async () => {
    await sim.request('PUT', '/sim/faults', { flexShedCount: 1 });
    const error = await flex('shed me').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(503);
    expect(JSON.parse((error as ApiError).message).error.status).toBe('UNAVAILABLE');
    expect((await flex('served')).text).toBeDefined();
    const random = await sim.request('PUT', '/sim/faults', { flexShedRate: 1 });
    expect(random.status).toBe(200);
    expect((await sim.generate(KEY, 'standard is kept')).status).toBe(200);
    const shed = await sim.request(
      'POST',
      `/v1beta/models/${FLASH}:generateContent`,
      { ...textRequest('snake'), service_tier: 'flex' },
      { 'x-goog-api-key': KEY },
    );
    expect(shed.status).toBe(503);
    expect(shed.headers.get('x-gemini-service-tier')).toBe('flex');
    expect((await sim.stats()).totals.flex).toMatchObject({ requests: 4, shed: 2 });
    await sim.request('PUT', '/sim/faults', {});
  });

  it('takes service_tier on the OpenAI-compatible route, and refuses an unknown tier naming the field', async () => {
    const chat = await sim.request(
      'POST',
      '/v1beta/openai/chat/completions',
      { model: FLASH, messages: [{ role: 'user', content: 'hi' }], service_tier: 'flex' },
      { authorization: `Bearer ${KEY}` },
    );
    expect(chat.status).toBe(200);
    expect(chat.headers.get('x-gemini-service-tier')).toBe('flex');
    const bad = await sim.request(
      'POST',
      `/v1beta/models/${FLASH}:generateContent`,
      { ...textRequest('x'), serviceTier: 'cheap' },
      { 'x-goog-api-key': KEY },
    );
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toContain('service_tier');
    const limited = await flex('over rpm');
    expect(limited.text).toBeDefined();
    const refused = await flex('one too many').catch((e: unknown) => e);
    expect((refused as ApiError).status).toBe(429);
  });
});
