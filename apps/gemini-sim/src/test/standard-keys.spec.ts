// Standard keys as Google treats them in 2026 (the `keyPolicy` switch), and new keys' propagation delay.
import { API_KEY_INVALID } from './key-error-bodies';
import { startTestSim, type TestSim } from './sim-harness';

const FLASH = 'gemini-2.5-flash';
const SERVICE = 'generativelanguage.googleapis.com';
const KEYS = '/v2/projects/proj-std/locations/global/keys';

/** GEMINI-FACTS.md: a standard key refused (401 UNAUTHENTICATED, ErrorInfo ACCESS_TOKEN_TYPE_UNSUPPORTED). */
const accessTokenTypeUnsupported = (method: string) => ({
  error: {
    code: 401,
    message:
      'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
    status: 'UNAUTHENTICATED',
    details: [
      {
        '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
        reason: 'ACCESS_TOKEN_TYPE_UNSUPPORTED',
        domain: 'googleapis.com',
        metadata: { service: SERVICE, method: `google.ai.generativelanguage.v1beta.${method}` },
      },
    ],
  },
});

describe('standard keys and new-key propagation (simulator keyPolicy)', () => {
  let sim: TestSim;
  let token: string;
  const policy = (body: unknown) => sim.request('PUT', '/sim/key-policy', body);
  const models = (key: string) => sim.request('GET', '/v1beta/models', undefined, { 'x-goog-api-key': key });

  beforeAll(async () => {
    sim = await startTestSim({
      projects: [
        {
          id: 'proj-std',
          limits: { [FLASH]: { rpm: 1000, tpm: 1e7, rpd: 1e5 } },
          keys: [
            'AIzaSyUnrestrictedStandard01',
            { key: 'AIzaSyRestrictedStandard002', allowedIps: ['127.0.0.1'] },
            'AQ.Ab8AuthKeyOfTheConfig0003',
            'plain-test-key-0004',
          ],
        },
      ],
    });
    token = 'static-std-token';
    sim.handle.apiKeys.tokens.allow(token);
  });
  afterAll(() => sim.close());

  it('refuses every standard key by default with 401 ACCESS_TOKEN_TYPE_UNSUPPORTED, exactly', async () => {
    for (const key of ['AIzaSyUnrestrictedStandard01', 'AIzaSyRestrictedStandard002']) {
      const answer = await sim.generate(key, 'hi');
      expect(answer.status).toBe(401);
      expect(answer.json).toEqual(accessTokenTypeUnsupported('GenerativeService.GenerateContent'));
    }
    expect((await models('AIzaSyRestrictedStandard002')).json).toEqual(
      accessTokenTypeUnsupported('ModelService.ListModels'),
    );
    // Auth keys, and keys of any other shape (test names), are not standard keys.
    expect((await sim.generate('AQ.Ab8AuthKeyOfTheConfig0003', 'hi')).status).toBe(200);
    expect((await sim.generate('plain-test-key-0004', 'hi')).status).toBe(200);
  });

  it('after the cutoff, optionally: 400 API_KEY_INVALID', async () => {
    const set = await policy({ standardKeyRefusal: 'api-key-invalid' });
    expect(set.json).toEqual({
      standardKeys: 'refused',
      standardKeyRefusal: 'api-key-invalid',
      keyPropagationMs: 0,
    });
    const answer = await sim.generate('AIzaSyRestrictedStandard002', 'hi');
    expect(answer.status).toBe(400);
    expect(answer.json).toEqual(API_KEY_INVALID);
  });

  it('restricted-only: an unrestricted standard key gets the 401, restricted ones work', async () => {
    await policy({ standardKeys: 'restricted-only' });
    const unrestricted = await sim.generate('AIzaSyUnrestrictedStandard01', 'hi');
    expect(unrestricted.status).toBe(401);
    expect(unrestricted.json.error.details[0].reason).toBe('ACCESS_TOKEN_TYPE_UNSUPPORTED');
    expect((await sim.generate('AIzaSyRestrictedStandard002', 'hi')).status).toBe(200);
    // A standard key made through the API Keys API with an API target only counts as restricted.
    await sim.request(
      'POST',
      `${KEYS}?keyId=kf-targeted`,
      { restrictions: { apiTargets: [{ service: SERVICE }] } },
      { authorization: `Bearer ${token}` },
    );
    const keyString = sim.handle.apiKeys.store.keyString(`${KEYS.slice(4)}/kf-targeted`);
    expect(keyString).toMatch(/^AIza/);
    expect((await sim.generate(keyString, 'hi')).status).toBe(200);
  });

  it('accepted: standard keys work as before 19 June 2026', async () => {
    await policy({ standardKeys: 'accepted' });
    expect((await sim.generate('AIzaSyUnrestrictedStandard01', 'hi')).status).toBe(200);
  });

  it('a new key answers a bare 401 for keyPropagationMs after its creation, then works', async () => {
    await policy({ standardKeys: 'refused', keyPropagationMs: 600 });
    const created = await sim.request(
      'POST',
      `${KEYS}?keyId=kf-fresh`,
      {
        restrictions: { apiTargets: [{ service: SERVICE }] },
        serviceAccountEmail: 'sa@proj-std.iam.gserviceaccount.com',
      },
      { authorization: `Bearer ${token}` },
    );
    expect(created.status).toBe(200);
    const keyString = sim.handle.apiKeys.store.keyString(`${KEYS.slice(4)}/kf-fresh`);
    expect(keyString).toMatch(/^AQ\./);
    const early = await models(keyString);
    expect(early.status).toBe(401);
    expect(early.json.error).toEqual({
      code: 401,
      message: expect.stringContaining('Request had invalid authentication credentials'),
      status: 'UNAUTHENTICATED',
    });
    expect((await sim.generate(keyString, 'hi')).status).toBe(401);
    await new Promise((resolve) => setTimeout(resolve, 650));
    expect((await models(keyString)).status).toBe(200);
    expect((await sim.generate(keyString, 'hi')).status).toBe(200);
    // The models route is no generation: only the generate calls count against the project's RPM.
    const stats = await sim.stats();
    expect(stats.projects['proj-std'][FLASH].admitted).toBe(6);
  });

  it('rejects a bad policy naming the field', async () => {
    const answer = await policy({ keyPropagationMs: -1 });
    expect(answer.status).toBe(400);
    expect(answer.json.error.message).toMatch(/^Invalid key policy: keyPropagationMs: /);
  });
});
