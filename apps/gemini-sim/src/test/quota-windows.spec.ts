// RPM and TPM enforced at arrival: exactly the limit passes, one more is refused, in both window modes.
import type { SimWindowMode } from '@keyfleet/testing';
import { promptOf, quotaIdsOf, retryDelayMsOf, startTestSim, T0, type TestSim } from './sim-harness';

const FLASH = 'gemini-2.5-flash';
const RPM_ID = 'GenerateRequestsPerMinutePerProjectPerModel-FreeTier';
const TPM_ID = 'GenerateContentInputTokensPerModelPerMinute-FreeTier';

function configFor(windowMode: SimWindowMode) {
  return {
    windowMode,
    projects: [
      { id: 'rpm-p', limits: { [FLASH]: { rpm: 3, tpm: 1_000_000, rpd: 1000 } }, keys: ['key-rpm-0001'] },
      { id: 'tpm-p', limits: { [FLASH]: { rpm: 1000, tpm: 100, rpd: 1000 } }, keys: ['key-tpm-0002'] },
    ],
  };
}

describe.each<SimWindowMode>(['rolling', 'clock'])('%s window mode', (mode) => {
  let sim: TestSim;
  beforeAll(async () => (sim = await startTestSim(configFor(mode))));
  afterAll(() => sim.close());

  it('admits exactly rpm requests in a minute and refuses one more, until room frees', async () => {
    for (const offset of [0, 10_000, 20_000]) {
      sim.clock.ms = T0 + offset;
      expect((await sim.generate('key-rpm-0001', `r${offset}`)).status).toBe(200);
    }
    sim.clock.ms = T0 + 30_000;
    const refused = await sim.generate('key-rpm-0001', 'one over');
    expect(refused.status).toBe(429);
    expect(quotaIdsOf(refused.json)).toEqual([RPM_ID]);
    expect(retryDelayMsOf(refused.json)).toBe(30_000); // both modes: the first request leaves at T0 + 60 s
    sim.clock.ms = T0 + 59_999;
    expect((await sim.generate('key-rpm-0001', 'still over')).status).toBe(429);
    sim.clock.ms = T0 + 60_000;
    expect((await sim.generate('key-rpm-0001', 'room again')).status).toBe(200);
  });

  it('admits input tokens up to exactly tpm and refuses one token more', async () => {
    sim.clock.ms = T0;
    expect((await sim.generate('key-tpm-0002', promptOf(50, 'a'))).status).toBe(200);
    sim.clock.ms = T0 + 5_000;
    expect((await sim.generate('key-tpm-0002', promptOf(50, 'b'))).status).toBe(200);
    const refused = await sim.generate('key-tpm-0002', promptOf(1, 'c'));
    expect(refused.status).toBe(429);
    expect(quotaIdsOf(refused.json)).toEqual([TPM_ID]);
    expect(retryDelayMsOf(refused.json)).toBe(55_000);
    sim.clock.ms = T0 + 60_000;
    const admitted = await sim.generate('key-tpm-0002', promptOf(50, 'd'));
    expect(admitted.status).toBe(200);
    expect(admitted.json.usageMetadata.promptTokenCount).toBe(50);
  });
});

describe('concurrent arrivals', () => {
  it('admits exactly rpm of many simultaneous requests', async () => {
    const sim = await startTestSim(configFor('rolling'));
    try {
      const answers = await Promise.all(
        Array.from({ length: 12 }, (_, i) => sim.generate('key-rpm-0001', `p${i}`)),
      );
      const statuses = answers.map((a) => a.status).sort();
      expect(statuses).toEqual([...Array<number>(3).fill(200), ...Array<number>(9).fill(429)]);
      expect((await sim.stats()).projects['rpm-p'][FLASH].maxRequestsInRollingWindow).toBe(3);
    } finally {
      await sim.close();
    }
  });
});

describe('rolling versus clock-aligned minutes', () => {
  // Three requests late in one minute, then three early in the next: a clock minute allows it, a rolling window not.
  async function burstAcrossMinuteBoundary(mode: SimWindowMode): Promise<number[]> {
    const sim = await startTestSim(configFor(mode));
    try {
      const statuses: number[] = [];
      for (const offset of [50_000, 55_000, 59_000, 60_000, 61_000, 62_000, 63_000]) {
        sim.clock.ms = T0 + offset;
        statuses.push((await sim.generate('key-rpm-0001', `b${offset}`)).status);
      }
      return statuses;
    } finally {
      await sim.close();
    }
  }

  it('clock mode admits a full minute on each side of the boundary', async () => {
    expect(await burstAcrossMinuteBoundary('clock')).toEqual([200, 200, 200, 200, 200, 200, 429]);
  });

  it('rolling mode refuses until the first of the three is 60 s old', async () => {
    expect(await burstAcrossMinuteBoundary('rolling')).toEqual([200, 200, 200, 429, 429, 429, 429]);
  });

  it('rolling retryDelay points at the moment the oldest request leaves the window', async () => {
    const sim = await startTestSim(configFor('rolling'));
    try {
      for (const offset of [50_000, 55_000, 59_000]) {
        sim.clock.ms = T0 + offset;
        await sim.generate('key-rpm-0001', `c${offset}`);
      }
      sim.clock.ms = T0 + 60_000;
      const refused = await sim.generate('key-rpm-0001', 'late');
      expect(retryDelayMsOf(refused.json)).toBe(50_000);
      sim.clock.ms = T0 + 110_000;
      expect((await sim.generate('key-rpm-0001', 'on time')).status).toBe(200);
    } finally {
      await sim.close();
    }
  });
});
