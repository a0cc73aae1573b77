import { TEST_ADMIN_TOKEN } from '@keyfleet/testing';
import { bootApi, type ApiHarness } from './api-harness';

describe('admin API authentication (HTTP)', () => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await bootApi();
  });
  afterAll(() => api.close());

  const unauthenticated = {
    error: { code: 401, message: 'missing or invalid admin token', status: 'UNAUTHENTICATED' },
  };

  it.each([
    ['GET', '/admin/v1/projects'],
    ['POST', '/admin/v1/projects'],
    ['GET', '/admin/v1/keys'],
    ['POST', '/admin/v1/clients'],
    ['GET', '/admin/v1/audit'],
  ])('%s %s without a token → 401', async (method, path) => {
    const response = await api.call(method, path, { body: method === 'POST' ? { name: 'x' } : undefined });
    expect(response.status).toBe(401);
    expect(response.body).toEqual(unauthenticated);
  });

  it('refuses a wrong token, a token of another length, and another scheme', async () => {
    for (const authorization of [
      `Bearer ${TEST_ADMIN_TOKEN.slice(0, -1)}x`,
      `Bearer ${TEST_ADMIN_TOKEN}0`,
      `Basic ${TEST_ADMIN_TOKEN}`,
      'Bearer',
    ]) {
      const response = await api.call('GET', '/admin/v1/projects', { headers: { authorization } });
      expect(response.status).toBe(401);
    }
  });

  it('accepts the admin token', async () => {
    const response = await api.admin('GET', '/projects');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ projects: [] });
  });

  it('does not take a client key for the admin token', async () => {
    const created = await api.admin('POST', '/clients', { name: 'c', allowedIps: ['0.0.0.0/0'] });
    const response = await api.call('GET', '/admin/v1/projects', {
      headers: { authorization: `Bearer ${created.body.key}` },
    });
    expect(response.status).toBe(401);
  });
});
