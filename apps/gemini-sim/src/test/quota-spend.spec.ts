// Spend windows per billing account: past the limit, the Help-only 429; a scripted Help-only 429 for tests.
import { promptOf, startTestSim, T0, type TestSim } from './sim-harness';

const FLASH = 'gemini-2.5-flash';
const LIMITS = { [FLASH]: { rpm: 1000, tpm: 1_000_000, rpd: 100_000 } };
const HELP = 'type.googleapis.com/google.rpc.Help';

// One micro-dollar per input token and output for free: a 50-token prompt costs 50 micro-dollars.
const config = {
  spendWindowMs: 60_000,
  prices: { [FLASH]: { input: 1, output: 0 } },
  projects: [
    { id: 'solo', limits: LIMITS, keys: ['key-solo-0001'], spendLimitUsd: 0.0001 },
    { id: 'acct-a', limits: LIMITS, keys: ['key-acct-000a'], spendLimitUsd: 0.0001, billingAccount: 'acct' },
    { id: 'acct-b', limits: LIMITS, keys: ['key-acct-000b'], spendLimitUsd: 0.0002, billingAccount: 'acct' },
    { id: 'free', limits: LIMITS, keys: ['key-free-0001'] },
  ],
};

function detailTypes(body: unknown): string[] {
  const details = (body as { error: { details?: Array<{ '@type': string }> } }).error.details ?? [];
  return details.map((d) => d['@type']);
}

describe('simulator spend windows', () => {
  let sim: TestSim;
  beforeAll(async () => (sim = await startTestSim(config)));
  afterAll(() => sim.close());

  it('admits up to the spend limit in the rolling window, then answers the Help-only 429 until spend leaves', async () => {
    sim.clock.ms = T0;
    expect((await sim.generate('key-solo-0001', promptOf(50, 'a'))).status).toBe(200);
    sim.clock.ms = T0 + 10_000;
    expect((await sim.generate('key-solo-0001', promptOf(50, 'b'))).status).toBe(200);
    const refused = await sim.generate('key-solo-0001', promptOf(1, 'c'));
    expect(refused.status).toBe(429);
    expect(refused.json.error.status).toBe('RESOURCE_EXHAUSTED');
    expect(detailTypes(refused.json)).toEqual([HELP]);
    sim.clock.ms = T0 + 60_000;
    expect((await sim.generate('key-solo-0001', promptOf(50, 'd'))).status).toBe(200);
    const stats = await sim.stats();
    expect(stats.spend['solo']).toEqual({
      admittedMicros: 150,
      maxMicrosInWindow: 100,
      limitMicros: 100,
      refused429: 1,
    });
  });

  it('projects of one billing account share one window under the smallest limit; no limit, no refusal', async () => {
    sim.clock.ms = T0 + 200_000;
    expect((await sim.generate('key-acct-000a', promptOf(60, 'e'))).status).toBe(200);
    expect((await sim.generate('key-acct-000b', promptOf(40, 'f'))).status).toBe(200);
    expect((await sim.generate('key-acct-000b', promptOf(1, 'g'))).status).toBe(429);
    for (let i = 0; i < 5; i++)
      expect((await sim.generate('key-free-0001', promptOf(500, `h${i}`))).status).toBe(200);
  });

  it('a scripted Help-only 429 carries only the Help link', async () => {
    const script = [{ status: 429, count: 1, projectId: 'free', helpOnly: true }];
    expect((await sim.request('PUT', '/sim/faults', { script })).status).toBe(200);
    const refused = await sim.generate('key-free-0001', promptOf(5, 'i'));
    expect(refused.status).toBe(429);
    expect(detailTypes(refused.json)).toEqual([HELP]);
    expect(refused.json.error.message).toMatch(/exceeded your current quota/);
    expect((await sim.generate('key-free-0001', promptOf(5, 'j'))).status).toBe(200);
  });
});
