// Injected faults: scripted answers (503 then success, a chosen 429), random errors, drops; none count as admitted.
import { quotaIdsOf, retryDelayMsOf, startTestSim, type TestSim } from './sim-harness';

const FLASH = 'gemini-2.5-flash';

describe('faults', () => {
  let sim: TestSim;
  let dice = 0.5;
  beforeAll(async () => {
    sim = await startTestSim(
      {
        projects: [
          {
            id: 'pa',
            tier: 'paid',
            limits: { [FLASH]: { rpm: 1000, tpm: 1e6, rpd: 1e5, tpd: 1e7 } },
            keys: ['key-fa-0001'],
          },
          { id: 'pb', limits: { [FLASH]: { rpm: 1000, tpm: 1e6, rpd: 1e5 } }, keys: ['key-fb-0002'] },
        ],
      },
      { random: () => dice },
    );
  });
  afterAll(() => sim.close());
  beforeEach(async () => {
    dice = 0.5;
    await sim.request('PUT', '/sim/faults', {});
    await sim.request('POST', '/sim/stats/reset');
  });

  it('a scripted 503 answers the next n requests, then requests succeed', async () => {
    expect((await sim.request('PUT', '/sim/faults', { script: [{ status: 503, count: 2 }] })).status).toBe(
      200,
    );
    const first = await sim.generate('key-fa-0001', 'a');
    expect(first.status).toBe(503);
    expect(first.json).toEqual({
      error: {
        code: 503,
        message: 'The model is overloaded. Please try again later.',
        status: 'UNAVAILABLE',
      },
    });
    expect((await sim.generate('key-fa-0001', 'b')).status).toBe(503);
    expect((await sim.generate('key-fa-0001', 'c')).status).toBe(200);
    const stats = await sim.stats();
    expect(stats.totals).toEqual(expect.objectContaining({ requests: 3, admitted: 1, errors5xx: 2 }));
    expect(stats.projects.pa[FLASH].admitted).toBe(1);
  });

  it('a scripted 429 for one project carries the chosen quotaId and retryDelay', async () => {
    await sim.request('PUT', '/sim/faults', {
      script: [
        {
          status: 429,
          count: 1,
          projectId: 'pa',
          quotaId: 'GenerateRequestsPerDayPerProjectPerModel',
          retryDelay: '3.5s',
        },
      ],
    });
    expect((await sim.generate('key-fb-0002', 'other project')).status).toBe(200);
    const refused = await sim.generate('key-fa-0001', 'scripted');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBeNull();
    expect(quotaIdsOf(refused.json)).toEqual(['GenerateRequestsPerDayPerProjectPerModel']);
    expect(refused.json.error.details[0].violations[0]).toEqual({
      quotaMetric: 'generativelanguage.googleapis.com/generate_requests_per_model_per_day',
      quotaId: 'GenerateRequestsPerDayPerProjectPerModel',
      quotaDimensions: { location: 'global', model: FLASH },
      quotaValue: '100000',
    });
    expect(retryDelayMsOf(refused.json)).toBe(3500);
    expect((await sim.stats()).projects.pa[FLASH].refusedByQuotaId).toEqual({
      GenerateRequestsPerDayPerProjectPerModel: 1,
    });
    expect((await sim.generate('key-fa-0001', 'next')).status).toBe(200);
  });

  it('a scripted body is sent verbatim, and a scripted 403 can carry a reason', async () => {
    const bare = {
      error: {
        code: 429,
        message: 'Resource has been exhausted (e.g. check quota).',
        status: 'RESOURCE_EXHAUSTED',
      },
    };
    await sim.request('PUT', '/sim/faults', {
      script: [
        { status: 429, count: 1, body: bare },
        { status: 403, count: 1, reason: 'API_KEY_IP_ADDRESS_BLOCKED' },
      ],
    });
    expect((await sim.generate('key-fb-0002', 'x')).json).toEqual(bare);
    const denied = await sim.generate('key-fb-0002', 'y');
    expect(denied.status).toBe(403);
    expect(denied.json.error.details[0].reason).toBe('API_KEY_IP_ADDRESS_BLOCKED');
  });

  it('the remaining script shows in GET /sim/config', async () => {
    await sim.request('PUT', '/sim/faults', { script: [{ status: 500, count: 3, model: FLASH }] });
    expect((await sim.generate('key-fb-0002', 'x')).json.error.status).toBe('INTERNAL');
    expect((await sim.request('GET', '/sim/config')).json.faults.script).toEqual([
      { status: 500, count: 2, model: FLASH },
    ]);
  });

  it('errorRate answers errorStatus instead of admitting', async () => {
    await sim.request('PUT', '/sim/faults', { errorRate: 0.3, errorStatus: 500 });
    dice = 0.2;
    expect((await sim.generate('key-fb-0002', 'unlucky')).status).toBe(500);
    dice = 0.4;
    expect((await sim.generate('key-fb-0002', 'lucky')).status).toBe(200);
    expect((await sim.stats()).totals).toEqual(expect.objectContaining({ admitted: 1, errors5xx: 1 }));
  });

  it('dropRate destroys the socket without an answer', async () => {
    await sim.request('PUT', '/sim/faults', { dropRate: 1 });
    await expect(sim.generate('key-fb-0002', 'dropped')).rejects.toThrow();
    const stats = await sim.stats();
    expect(stats.totals.dropped).toBe(1);
    expect(stats.totals.admitted).toBe(0);
  });
});
