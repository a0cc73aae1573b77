// The admin API: validation errors name the field; config, projects and keys can be changed at run time.
import { startTestSim, type TestSim } from './sim-harness';

const FLASH = 'gemini-2.5-flash';
const LIMITS = { [FLASH]: { rpm: 10, tpm: 1000, rpd: 100 } };

describe('admin API', () => {
  let sim: TestSim;
  beforeAll(
    async () =>
      (sim = await startTestSim({ projects: [{ id: 'p1', limits: LIMITS, keys: ['key-adm-0001'] }] })),
  );
  afterAll(() => sim.close());

  it('GET /sim/config returns the config with defaults filled in', async () => {
    const config = await sim.request('GET', '/sim/config');
    expect(config.json).toEqual({
      windowMode: 'rolling',
      latencyMs: { min: 0, max: 0 },
      projects: [
        {
          id: 'p1',
          tier: 'free',
          limits: LIMITS,
          keys: [{ key: 'key-adm-0001', status: 'active', allowedIps: [] }],
        },
      ],
      faults: {
        errorRate: 0,
        errorStatus: 503,
        dropRate: 0,
        slowRate: 0,
        slowMs: 5000,
        script: [],
        flexShedRate: 0,
        flexShedCount: 0,
        batchScript: [],
      },
      keyPolicy: { standardKeys: 'refused', standardKeyRefusal: 'unauthenticated', keyPropagationMs: 0 },
      spendWindowMs: 600_000,
      prices: {},
      batchMode: {
        pendingMs: 200,
        turnaroundMs: 1000,
        expireAfterMs: 172_800_000,
        maxConcurrentJobs: 100,
        enqueuedTokens: {},
        defaultEnqueuedTokens: 3_000_000,
        maxInlineBytes: 20_971_520,
        maxFileBytes: 2_147_483_648,
      },
    });
  });

  it.each([
    [
      { projects: [{ id: 'x', limits: { [FLASH]: { rpm: -1, tpm: 1, rpd: 1 } } }] },
      `projects.0.limits.${FLASH}.rpm`,
    ],
    [{ windowMode: 'sliding', projects: [] }, 'windowMode'],
    [
      { projects: [{ id: 'x', limits: {}, keys: [{ key: 'k', allowedIps: ['not-an-ip'] }] }] },
      'projects.0.keys.0.allowedIps.0',
    ],
    [{ projects: [], faults: { errorRate: 2 } }, 'faults.errorRate'],
    [{ projects: [], latencyMs: { min: 5, max: 1 } }, 'latencyMs.max'],
    [{ projects: [], keyPolicy: { standardKeys: 'sometimes' } }, 'keyPolicy.standardKeys'],
    [{}, 'projects'],
  ])('PUT /sim/config rejects %j naming %s', async (config, field) => {
    const answer = await sim.request('PUT', '/sim/config', config);
    expect(answer.status).toBe(400);
    expect(answer.json.error.status).toBe('INVALID_ARGUMENT');
    expect(answer.json.error.message).toContain(`${field}:`);
  });

  it('rejects duplicate keys across projects', async () => {
    const config = {
      projects: [
        { id: 'a', limits: {}, keys: ['same'] },
        { id: 'b', limits: {}, keys: ['same'] },
      ],
    };
    const answer = await sim.request('PUT', '/sim/config', config);
    expect(answer.status).toBe(400);
    expect(answer.json.error.message).toContain('projects.1.keys.0: duplicate key');
  });

  it('POST /sim/projects and POST /sim/keys add to the running config', async () => {
    const added = await sim.request('POST', '/sim/projects', { id: 'p2', tier: 'paid', limits: LIMITS });
    expect(added.status).toBe(200);
    expect((await sim.request('POST', '/sim/projects', { id: 'p2', limits: LIMITS })).status).toBe(409);
    expect((await sim.request('POST', '/sim/keys', { projectId: 'p2', key: 'key-new-0002' })).status).toBe(
      200,
    );
    expect((await sim.request('POST', '/sim/keys', { projectId: 'p2', key: 'key-new-0002' })).status).toBe(
      409,
    );
    expect((await sim.request('POST', '/sim/keys', { projectId: 'nope', key: 'k' })).status).toBe(404);
    expect((await sim.generate('key-new-0002', 'hi')).status).toBe(200);
    expect((await sim.stats()).projects.p2[FLASH].admitted).toBe(1);
  });

  it('unknown keys in PATCH/DELETE give 404 without echoing the key', async () => {
    const answer = await sim.request('DELETE', '/sim/keys/secret-value-XYZW');
    expect(answer.status).toBe(404);
    expect(answer.text).not.toContain('secret-value');
    expect(answer.json.error.message).toContain('XYZW');
  });

  it('PUT /sim/config replaces everything and resets windows and stats', async () => {
    await sim.generate('key-adm-0001', 'one');
    const answer = await sim.request('PUT', '/sim/config', {
      windowMode: 'clock',
      projects: [{ id: 'p9', limits: LIMITS, keys: ['key-nine-0009'] }],
    });
    expect(answer.status).toBe(200);
    expect((await sim.generate('key-adm-0001', 'gone')).status).toBe(400);
    expect((await sim.generate('key-nine-0009', 'here')).status).toBe(200);
    const stats = await sim.stats();
    expect(Object.keys(stats.projects)).toEqual(['p9']);
    expect(stats.totals.requests).toBe(2);
  });

  it('unknown admin routes and non-JSON bodies are refused', async () => {
    expect((await sim.request('GET', '/sim/nothing')).status).toBe(404);
    expect((await sim.request('PUT', '/sim/faults', 'not json')).status).toBe(400);
  });
});
