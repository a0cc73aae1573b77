// GET /sim/stats: the fullest rolling window and clock minute ever seen, overLimit, per-key counts, reset.
import type { SimWindowMode } from '@keyfleet/testing';
import { promptOf, startTestSim, T0, type TestSim } from './sim-harness';

const FLASH = 'gemini-2.5-flash';
const KEY = 'AQ.Ab8StatsKey-9876';
// Arrival second → prompt tokens. Rolling (7 s, 67 s] holds 6 requests / 27 tokens; the clock minutes 4/10 and 3/18.
const ARRIVALS: [number, number][] = [
  [0, 1],
  [10, 2],
  [20, 3],
  [30, 4],
  [65, 5],
  [66, 6],
  [67, 7],
];

async function replay(mode: SimWindowMode): Promise<{ sim: TestSim; statuses: number[] }> {
  const sim = await startTestSim({
    windowMode: mode,
    projects: [{ id: 'ps', limits: { [FLASH]: { rpm: 5, tpm: 1_000_000, rpd: 1000 } }, keys: [KEY] }],
  });
  const statuses: number[] = [];
  for (const [second, tokens] of ARRIVALS) {
    sim.clock.ms = T0 + second * 1000;
    statuses.push((await sim.generate(KEY, promptOf(tokens, `s${second}`))).status);
  }
  return { sim, statuses };
}

describe('stats', () => {
  it('measures rolling and clock maxima from admitted arrivals, whatever the mode (clock mode: overLimit)', async () => {
    const { sim, statuses } = await replay('clock');
    try {
      expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200]);
      const stats = await sim.stats();
      expect(stats.projects.ps[FLASH]).toEqual({
        admitted: 7,
        refused429: 0,
        refusedByQuotaId: {},
        admittedTokens: 28,
        maxRequestsInRollingWindow: 6,
        maxTokensInRollingWindow: 27,
        maxRequestsInClockMinute: 4,
        maxTokensInClockMinute: 18,
        requestsToday: 7,
        tokensToday: 28,
        limits: { rpm: 5, tpm: 1_000_000, rpd: 1000 },
        overLimit: true,
      });
      expect(stats.totals).toEqual({
        requests: 7,
        admitted: 7,
        refused429: 0,
        errors4xx: 0,
        errors5xx: 0,
        dropped: 0,
        firstAdmittedAt: T0,
        lastAdmittedAt: T0 + 67_000,
        mostOpen: 1,
        byApiVersion: { v1beta: 7 },
        batchMode: expect.objectContaining({ jobsCreated: 0, requestsAnswered: 0 }),
        flex: { requests: 0, admitted: 0, shed: 0, spendMicros: 0 },
      });
    } finally {
      await sim.close();
    }
  });

  it('rolling enforcement keeps every window within the limit: overLimit false', async () => {
    const { sim, statuses } = await replay('rolling');
    try {
      expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 429]);
      const model = (await sim.stats()).projects.ps[FLASH];
      expect(model.maxRequestsInRollingWindow).toBe(5);
      expect(model.refusedByQuotaId).toEqual({ 'GenerateRequestsPerMinutePerProjectPerModel-FreeTier': 1 });
      expect(model.overLimit).toBe(false);
    } finally {
      await sim.close();
    }
  });

  it('counts requests per key by last four characters only, and resets', async () => {
    const { sim } = await replay('rolling');
    try {
      await sim.generate('not-a-key-ABCD', 'x');
      const stats = await sim.stats();
      expect(stats.keys).toEqual({ '9876': { requests: 7 }, ABCD: { requests: 1 } });
      expect(JSON.stringify(stats)).not.toContain(KEY);
      expect(stats.totals).toEqual(expect.objectContaining({ requests: 8, refused429: 1, errors4xx: 1 }));
      await sim.request('POST', '/sim/stats/reset');
      const reset = await sim.stats();
      expect(reset.totals.requests).toBe(0);
      expect(reset.keys).toEqual({});
      expect(reset.projects.ps[FLASH]).toEqual(
        expect.objectContaining({ admitted: 0, maxRequestsInRollingWindow: 0 }),
      );
      // Reset clears the stats, not the enforcement windows: the project is still full.
      expect((await sim.generate(KEY, 'still full')).status).toBe(429);
    } finally {
      await sim.close();
    }
  });

  it('records the most requests open at once (arrived and not yet answered)', async () => {
    const sim = await startTestSim({
      latencyMs: { min: 300, max: 300 },
      projects: [{ id: 'po', limits: { [FLASH]: { rpm: 100, tpm: 1_000_000, rpd: 1000 } }, keys: [KEY] }],
    });
    try {
      const together = await Promise.all([1, 2, 3].map((n) => sim.generate(KEY, `together ${n}`)));
      expect(together.map((r) => r.status)).toEqual([200, 200, 200]);
      await sim.generate(KEY, 'alone');
      expect((await sim.stats()).totals.mostOpen).toBe(3);
    } finally {
      await sim.close();
    }
  });
});
