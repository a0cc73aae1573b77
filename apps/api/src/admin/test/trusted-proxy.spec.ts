import { bootApi, type ApiHarness } from './api-harness';

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

describe('client address behind a trusted proxy (HTTP, KF_TRUSTED_PROXIES=127.0.0.1)', () => {
  let api: ApiHarness;
  let key: string;

  beforeAll(async () => {
    api = await bootApi({ KF_TRUSTED_PROXIES: '127.0.0.1' });
    key = (await api.admin('POST', '/clients', { name: 'ten-only', allowedIps: ['10.0.0.0/8'] })).body.key;
  });
  afterAll(() => api.close());

  it('takes the forwarded address as the client address', async () => {
    const response = await api.call('GET', '/v1/whoami', {
      headers: { ...bearer(key), 'x-forwarded-for': '10.1.2.3' },
    });
    expect(response.status).toBe(200);
    expect(response.body.address).toBe('10.1.2.3');
  });

  it('lets no client prepend an allowed address: the right-most untrusted hop counts', async () => {
    const response = await api.call('GET', '/v1/whoami', {
      headers: { ...bearer(key), 'x-forwarded-for': '10.1.2.3, 192.0.2.44' },
    });
    expect(response.status).toBe(403);
    expect(response.body.error.message).toBe(
      'client address 192.0.2.44 is not in the allowlist of this client key',
    );
  });

  it('without the header, the proxy itself is the client (and not allowed here)', async () => {
    const response = await api.call('GET', '/v1/whoami', { headers: bearer(key) });
    expect(response.status).toBe(403);
    expect(response.body.error.message).toContain('127.0.0.1');
  });
});
