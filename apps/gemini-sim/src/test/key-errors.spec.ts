// Google's key errors: 400 API_KEY_INVALID, 403 IP blocked / leaked / suspended / service blocked.
import { API_KEY_INVALID, ipBlockedBody } from './key-error-bodies';
import { startTestSim, textRequest, type TestSim } from './sim-harness';

const FLASH = 'gemini-2.5-flash';

describe('key checks', () => {
  let sim: TestSim;
  beforeAll(async () => {
    sim = await startTestSim({
      projects: [
        {
          id: 'proj-k',
          limits: { [FLASH]: { rpm: 100, tpm: 1e6, rpd: 1000 } },
          keys: [
            'key-good-0001',
            { key: 'key-remote-0002', allowedIps: ['10.0.0.0/8', '192.0.2.7'] },
            { key: 'key-local-0003', allowedIps: ['10.0.0.0/8', '127.0.0.1'] },
            { key: 'key-leaked-0004', status: 'leaked' },
            { key: 'key-susp-0005', status: 'suspended' },
            { key: 'key-block-0006', status: 'service_blocked' },
            'key-doomed-0007',
          ],
        },
      ],
    });
  });
  afterAll(() => sim.close());

  it('an unknown key gets 400 API_KEY_INVALID exactly', async () => {
    const answer = await sim.generate('no-such-key', 'hi');
    expect(answer.status).toBe(400);
    expect(answer.json).toEqual(API_KEY_INVALID);
  });

  it('a missing key gets the same 400', async () => {
    const answer = await sim.request('POST', `/v1beta/models/${FLASH}:generateContent`, textRequest('hi'));
    expect(answer.status).toBe(400);
    expect(answer.json).toEqual(API_KEY_INVALID);
  });

  it('accepts the key as ?key= too', async () => {
    const answer = await sim.request(
      'POST',
      `/v1beta/models/${FLASH}:generateContent?key=key-good-0001`,
      textRequest('hi'),
    );
    expect(answer.status).toBe(200);
  });

  it('a deleted key becomes invalid', async () => {
    expect((await sim.generate('key-doomed-0007', 'before')).status).toBe(200);
    expect((await sim.request('DELETE', '/sim/keys/key-doomed-0007')).status).toBe(200);
    const answer = await sim.generate('key-doomed-0007', 'after');
    expect(answer.status).toBe(400);
    expect(answer.json).toEqual(API_KEY_INVALID);
  });

  it('a key restricted to other addresses gets 403 API_KEY_IP_ADDRESS_BLOCKED', async () => {
    const answer = await sim.generate('key-remote-0002', 'hi');
    expect(answer.status).toBe(403);
    expect(answer.json).toEqual(ipBlockedBody('127.0.0.1', 'proj-k'));
  });

  it('a key whose allowlist includes 127.0.0.1 works, and lifting a restriction unblocks a key', async () => {
    expect((await sim.generate('key-local-0003', 'hi')).status).toBe(200);
    const patched = await sim.request('PATCH', '/sim/keys/key-remote-0002', { allowedIps: null });
    expect(patched.json.allowedIps).toEqual([]);
    expect((await sim.generate('key-remote-0002', 'hi')).status).toBe(200);
    await sim.request('PATCH', '/sim/keys/key-remote-0002', { allowedIps: ['10.1.2.3'] });
    expect((await sim.generate('key-remote-0002', 'hi')).status).toBe(403);
  });

  it("a leaked key gets 403 with Google's message and no details", async () => {
    const answer = await sim.generate('key-leaked-0004', 'hi');
    expect(answer.status).toBe(403);
    expect(answer.json).toEqual({
      error: {
        code: 403,
        message: 'Your API key was reported as leaked. Please use another API key.',
        status: 'PERMISSION_DENIED',
      },
    });
  });

  it('suspended and service-blocked keys carry their ErrorInfo reasons', async () => {
    const suspended = await sim.generate('key-susp-0005', 'hi');
    expect(suspended.status).toBe(403);
    expect(suspended.json.error.status).toBe('PERMISSION_DENIED');
    expect(suspended.json.error.details[0].reason).toBe('CONSUMER_SUSPENDED');
    const blocked = await sim.generate('key-block-0006', 'hi');
    expect(blocked.status).toBe(403);
    expect(blocked.json.error.details[0].reason).toBe('API_KEY_SERVICE_BLOCKED');
    expect(blocked.json.error.details[0].metadata.methodName).toBe(
      'google.ai.generativelanguage.v1beta.GenerativeService.GenerateContent',
    );
  });

  it('a status change through PATCH takes effect at once', async () => {
    await sim.request('PATCH', '/sim/keys/key-good-0001', { status: 'leaked' });
    expect((await sim.generate('key-good-0001', 'hi')).status).toBe(403);
    await sim.request('PATCH', '/sim/keys/key-good-0001', { status: 'active' });
    expect((await sim.generate('key-good-0001', 'hi')).status).toBe(200);
  });

  it('error messages never contain the key', async () => {
    for (const key of [
      'key-remote-0002',
      'key-leaked-0004',
      'key-susp-0005',
      'key-block-0006',
      'unknown-key-99',
    ]) {
      const answer = await sim.generate(key, 'hi');
      expect(answer.text).not.toContain(key);
    }
  });
});
