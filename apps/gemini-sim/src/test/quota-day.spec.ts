// Requests per day reset at midnight America/Los_Angeles, including across daylight-saving changes.
import { FakeClock, quotaIdsOf, retryDelayMsOf, startTestSim, type TestSim } from './sim-harness';

const RPD_ID = 'GenerateRequestsPerDayPerProjectPerModel';

describe('Pacific-day quota reset', () => {
  let sim: TestSim;
  beforeAll(async () => {
    sim = await startTestSim(
      {
        projects: [
          {
            id: 'p',
            tier: 'paid',
            limits: { 'gemini-2.5-flash': { rpm: 100, tpm: 1e6, rpd: 2 } },
            keys: ['key-day-0001'],
          },
        ],
      },
      { clock: new FakeClock(Date.parse('2026-03-08T12:00:00Z')) }, // 05:00 PDT on the 23-hour day
    );
  });
  afterAll(() => sim.close());

  it('refuses the third request of the spring-forward day until 07:00Z (PDT midnight), not 08:00Z', async () => {
    expect((await sim.generate('key-day-0001', 'one')).status).toBe(200);
    expect((await sim.generate('key-day-0001', 'two')).status).toBe(200);
    const refused = await sim.generate('key-day-0001', 'three');
    expect(refused.status).toBe(429);
    expect(quotaIdsOf(refused.json)).toEqual([RPD_ID]);
    expect(retryDelayMsOf(refused.json)).toBe(19 * 3600 * 1000);

    sim.clock.ms = Date.parse('2026-03-09T06:59:59.999Z');
    expect((await sim.generate('key-day-0001', 'late')).status).toBe(429);
    sim.clock.ms = Date.parse('2026-03-09T07:00:00Z');
    expect((await sim.generate('key-day-0001', 'new day')).status).toBe(200);
    expect((await sim.stats()).projects.p['gemini-2.5-flash'].requestsToday).toBe(1);
  });

  it('on the fall-back day the reset comes at 08:00Z', async () => {
    sim.clock.ms = Date.parse('2026-11-01T10:00:00Z');
    await sim.generate('key-day-0001', 'a');
    await sim.generate('key-day-0001', 'b');
    const refused = await sim.generate('key-day-0001', 'c');
    expect(retryDelayMsOf(refused.json)).toBe(22 * 3600 * 1000);
    sim.clock.ms = Date.parse('2026-11-02T07:30:00Z'); // 23:30 PST, still Nov 1
    expect((await sim.generate('key-day-0001', 'd')).status).toBe(429);
    sim.clock.ms = Date.parse('2026-11-02T08:00:00Z');
    expect((await sim.generate('key-day-0001', 'e')).status).toBe(200);
  });
});
