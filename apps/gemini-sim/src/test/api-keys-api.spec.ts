/* eslint-disable @typescript-eslint/no-unsafe-call -- JSON answers read by the spec */
// The API Keys API v2 subset and the STS token endpoint, and how the generate endpoints honour them.
import { API_KEY_INVALID, ipBlockedBody } from './key-error-bodies';
import { startTestSim, type HttpAnswer, type TestSim } from './sim-harness';

const FLASH = 'gemini-2.5-flash';
const SERVICE = 'generativelanguage.googleapis.com';
const KEYS = '/v2/projects/proj-ak/locations/global/keys';
const SERVICE_ACCOUNT = 'keyfleet@proj-ak.iam.gserviceaccount.com';

describe('API Keys API v2 and STS (simulator)', () => {
  let sim: TestSim;
  let token: string;
  const authed = (method: string, path: string, body?: unknown): Promise<HttpAnswer> =>
    sim.request(method, path, body, { authorization: `Bearer ${token}` });

  /** Creates a key (an auth key unless `serviceAccountEmail` is null) and polls its operation until done. */
  async function createKey(
    keyId: string,
    allowedIps?: string[],
    serviceAccountEmail: string | null = SERVICE_ACCOUNT,
  ) {
    const restrictions = {
      apiTargets: [{ service: SERVICE }],
      ...(allowedIps ? { serverKeyRestrictions: { allowedIps } } : {}),
    };
    const created = await authed('POST', `${KEYS}?keyId=${keyId}`, {
      displayName: keyId,
      restrictions,
      ...(serviceAccountEmail ? { serviceAccountEmail } : {}),
    });
    expect(created.status).toBe(200);
    expect(created.json).toEqual({ name: expect.stringMatching(/^operations\/akmf\./), done: false });
    const polled = await authed('GET', `/v2/${created.json.name}`);
    expect(polled.json).toMatchObject({ done: true, response: { name: `${KEYS.slice(4)}/${keyId}` } });
    const keyString = (await authed('GET', `${KEYS}/${keyId}/keyString`)).json.keyString as string;
    return { name: polled.json.response.name as string, keyString };
  }

  beforeAll(async () => {
    sim = await startTestSim({
      projects: [{ id: 'proj-ak', limits: { [FLASH]: { rpm: 100, tpm: 1e6, rpd: 1000 } } }],
    });
    const exchanged = await sim.request(
      'POST',
      '/sts/v1/token',
      new URLSearchParams({
        grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
        audience: '//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/q',
        subject_token: 'a-subject-token',
        subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
        scope: 'https://www.googleapis.com/auth/cloud-platform',
      }).toString(),
      { 'content-type': 'application/x-www-form-urlencoded' },
    );
    expect(exchanged.status).toBe(200);
    expect(exchanged.json).toEqual({
      access_token: expect.stringMatching(/^ya29\./),
      issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      token_type: 'Bearer',
      expires_in: 3600,
    });
    token = exchanged.json.access_token;
  });
  afterAll(() => sim.close());

  it('refuses calls without a token STS issued, and bad token exchanges', async () => {
    const anonymous = await sim.request('GET', KEYS);
    expect(anonymous.status).toBe(401);
    expect(anonymous.json.error.status).toBe('UNAUTHENTICATED');
    expect((await sim.request('GET', KEYS, undefined, { authorization: 'Bearer made-up' })).status).toBe(401);
    const badGrant = await sim.request('POST', '/sts/v1/token', 'grant_type=password', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(badGrant.status).toBe(400);
    expect(badGrant.json.error).toBe('invalid_grant');
  });

  it('a key bound to a service account is an auth key (AQ.…) that works at once, mapped to its project', async () => {
    const { name, keyString } = await createKey('kf-works', ['127.0.0.1']);
    expect(keyString).toMatch(/^AQ\.[\w-]{52}$/);
    const answer = await sim.generate(keyString, 'hello');
    expect(answer.status).toBe(200);
    const key = (await authed('GET', `/v2/${name}`)).json;
    expect(key).toMatchObject({
      name,
      displayName: 'kf-works',
      serviceAccountEmail: SERVICE_ACCOUNT,
      restrictions: {
        apiTargets: [{ service: SERVICE }],
        serverKeyRestrictions: { allowedIps: ['127.0.0.1'] },
      },
    });
    expect(JSON.stringify(key)).not.toContain(keyString);
    expect((await sim.stats()).projects['proj-ak'][FLASH].admitted).toBeGreaterThanOrEqual(1);
  });

  it('a key without a service account is a standard key (AIza…), refused by default', async () => {
    const { keyString } = await createKey('kf-standard', ['127.0.0.1'], null);
    expect(keyString).toMatch(/^AIzaSy[\w-]{33}$/);
    const answer = await sim.generate(keyString, 'hello');
    expect(answer.status).toBe(401);
    expect(answer.json.error.details[0].reason).toBe('ACCESS_TOKEN_TYPE_UNSUPPORTED');
  });

  it('a deleted key gets Google 400 API_KEY_INVALID, and is gone from the list', async () => {
    const { name, keyString } = await createKey('kf-deleted');
    const deleted = await authed('DELETE', `/v2/${name}`);
    expect(deleted.status).toBe(200);
    expect((await authed('GET', `/v2/${deleted.json.name}`)).json.response.deleteTime).toEqual(
      expect.any(String),
    );
    const answer = await sim.generate(keyString, 'hello');
    expect(answer.status).toBe(400);
    expect(answer.json).toEqual(API_KEY_INVALID);
    const names = (await authed('GET', KEYS)).json.keys.map((k: { name: string }) => k.name);
    expect(names).not.toContain(name);
    expect((await authed('DELETE', `/v2/${name}`)).status).toBe(404);
  });

  it('a key used from outside its allowed IPs gets 403 API_KEY_IP_ADDRESS_BLOCKED; PATCH lifts it', async () => {
    const { name, keyString } = await createKey('kf-remote', ['203.0.113.7']);
    const blocked = await sim.generate(keyString, 'hello');
    expect(blocked.status).toBe(403);
    expect(blocked.json).toEqual(ipBlockedBody('127.0.0.1', 'proj-ak'));
    const patched = await authed('PATCH', `/v2/${name}?updateMask=restrictions`, {
      restrictions: {
        apiTargets: [{ service: SERVICE }],
        serverKeyRestrictions: { allowedIps: ['127.0.0.0/8'] },
      },
    });
    expect(patched.status).toBe(200);
    expect((await sim.generate(keyString, 'hello')).status).toBe(200);
  });

  it('a key restricted to another service is blocked for Gemini', async () => {
    const created = await authed('POST', `${KEYS}?keyId=kf-maps`, {
      restrictions: { apiTargets: [{ service: 'maps-backend.googleapis.com' }] },
      serviceAccountEmail: SERVICE_ACCOUNT,
    });
    await authed('GET', `/v2/${created.json.name}`);
    const keyString = (await authed('GET', `${KEYS}/kf-maps/keyString`)).json.keyString as string;
    const answer = await sim.generate(keyString, 'hello');
    expect(answer.status).toBe(403);
    expect(answer.json.error.details[0].reason).toBe('API_KEY_SERVICE_BLOCKED');
  });

  it('refuses a second key with the same id, bad ids, unknown projects and keys', async () => {
    await createKey('kf-once');
    expect((await authed('POST', `${KEYS}?keyId=kf-once`, {})).json.error.status).toBe('ALREADY_EXISTS');
    expect((await authed('POST', `${KEYS}?keyId=Bad_Id`, {})).status).toBe(400);
    const unknown = '/v2/projects/nope/locations/global/keys?keyId=kf-x';
    expect((await authed('POST', unknown, {})).status).toBe(404);
    expect((await authed('GET', `${KEYS}/kf-missing`)).json.error).toEqual({
      code: 404,
      message: `Key ${KEYS.slice(4)}/kf-missing not found.`,
      status: 'NOT_FOUND',
    });
  });

  it('answers scripted create failures with 503 and makes nothing', async () => {
    await sim.request('PUT', '/sim/apikeys/faults', { failCreates: 1 });
    const failed = await authed('POST', `${KEYS}?keyId=kf-flaky`, {});
    expect(failed.status).toBe(503);
    expect(failed.json.error.status).toBe('UNAVAILABLE');
    expect((await authed('GET', `${KEYS}/kf-flaky`)).status).toBe(404);
    await createKey('kf-flaky');
    const admin = (await sim.request('GET', '/sim/apikeys')).json;
    expect(admin.exchanges).toBe(1);
    expect(admin.keys.map((k: { name: string }) => k.name)).toContain(`${KEYS.slice(4)}/kf-flaky`);
  });
});
