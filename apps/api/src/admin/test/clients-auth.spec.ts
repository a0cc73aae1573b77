/* eslint-disable @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-call -- JSON answers of many shapes */
import { setTimeout as sleep } from 'node:timers/promises';
import { bootApi, type ApiHarness } from './api-harness';

const UUID = expect.stringMatching(/^[0-9a-f-]{36}$/);
const ISO = expect.stringMatching(/^\d{4}-\d\d-\d\dT/);
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

describe('admin API: clients, and client authentication (HTTP)', () => {
  let api: ApiHarness;
  const rawKeys: string[] = [];

  beforeAll(async () => {
    api = await bootApi();
  });
  afterAll(() => api.close());

  async function createClient(name: string, allowedIps: string[]) {
    const response = await api.admin('POST', '/clients', { name, allowedIps });
    expect(response.status).toBe(201);
    rawKeys.push(response.body.key);
    return response.body as { client: { id: string }; key: string };
  }

  it('creates a client: normalised allowlist, and its key shown once', async () => {
    const response = await api.admin('POST', '/clients', {
      name: 'local-team',
      allowedIps: ['127.0.0.1', '::1', '10.9.8.7/8', '127.0.0.1/32'],
    });
    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      client: {
        id: UUID,
        name: 'local-team',
        allowedIps: ['127.0.0.1/32', '::1/128', '10.0.0.0/8'],
        weight: 1,
        budget: null,
        keys: [{ id: UUID, lastFour: response.body.key.slice(-4), createdAt: ISO, expiresAt: null }],
        createdAt: ISO,
        updatedAt: ISO,
        deletedAt: null,
      },
      key: expect.stringMatching(/^kf_[A-Za-z0-9_-]{43}$/),
    });
    rawKeys.push(response.body.key);
    const { client, key } = response.body;
    // Never again: not in GET, not in the list.
    const got = await api.admin('GET', `/clients/${client.id}`);
    expect(got.body).toEqual(client);
    expect(got.text).not.toContain(key);
    expect((await api.admin('GET', '/clients')).body.clients).toEqual([client]);
    // Only its hash is stored.
    const rows = await api.sql.query<Array<{ key_hash: string }>>('SELECT key_hash FROM client_keys');
    expect(JSON.stringify(rows)).not.toContain(key);
    expect(rows[0].key_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('the key works as a bearer, as x-goog-api-key and as ?key=', async () => {
    const { client, key } = await createClient('all-ways', ['127.0.0.0/8']);
    const expected = { clientId: client.id, name: 'all-ways', address: '127.0.0.1' };
    expect((await api.call('GET', '/v1/whoami', { headers: bearer(key) })).body).toEqual(expected);
    expect((await api.call('GET', '/v1/whoami', { headers: { 'x-goog-api-key': key } })).body).toEqual(
      expected,
    );
    const viaQuery = await api.call('GET', `/v1/whoami?key=${encodeURIComponent(key)}`);
    expect(viaQuery.status).toBe(200);
    expect(viaQuery.body).toEqual(expected);
  });

  it('answers 401 without a key or with an unknown one', async () => {
    const none = await api.call('GET', '/v1/whoami');
    expect(none.status).toBe(401);
    expect(none.body.error.status).toBe('UNAUTHENTICATED');
    const unknown = await api.call('GET', '/v1/whoami', { headers: bearer(`kf_${'x'.repeat(43)}`) });
    expect(unknown.status).toBe(401);
    expect(unknown.body.error).toEqual({
      code: 401,
      message: 'invalid, expired or revoked client key',
      status: 'UNAUTHENTICATED',
    });
  });

  it('enforces the CIDR allowlist, reading X-Forwarded-For only from a trusted proxy', async () => {
    const { key } = await createClient('ten-only', ['10.0.0.0/8']);
    const direct = await api.call('GET', '/v1/whoami', { headers: bearer(key) });
    expect(direct.status).toBe(403);
    expect(direct.body.error).toEqual({
      code: 403,
      message: 'client address 127.0.0.1 is not in the allowlist of this client key',
      status: 'PERMISSION_DENIED',
    });
    // A spoofed header from an untrusted peer changes nothing.
    const spoofed = await api.call('GET', '/v1/whoami', {
      headers: { ...bearer(key), 'x-forwarded-for': '10.1.2.3' },
    });
    expect(spoofed.status).toBe(403);
  });

  it('updates an allowlist through PATCH', async () => {
    const { client, key } = await createClient('widen-me', ['10.0.0.0/8']);
    expect((await api.call('GET', '/v1/whoami', { headers: bearer(key) })).status).toBe(403);
    const patched = await api.admin('PATCH', `/clients/${client.id}`, {
      allowedIps: ['10.0.0.0/8', '127.0.0.1'],
    });
    expect(patched.body.allowedIps).toEqual(['10.0.0.0/8', '127.0.0.1/32']);
    expect((await api.call('GET', '/v1/whoami', { headers: bearer(key) })).status).toBe(200);
  });

  it('sets a client weight (its share of the pool) and refuses one that is not a positive number', async () => {
    const created = await api.admin('POST', '/clients', {
      name: 'heavy',
      allowedIps: ['127.0.0.0/8'],
      weight: 3,
    });
    expect(created.status).toBe(201);
    rawKeys.push(created.body.key);
    expect(created.body.client.weight).toBe(3);
    const id = created.body.client.id as string;
    const patched = await api.admin('PATCH', `/clients/${id}`, { weight: 0.5 });
    expect(patched.status).toBe(200);
    expect(patched.body.weight).toBe(0.5);
    for (const weight of [0, -1, 1001, '2']) {
      const refused = await api.admin('PATCH', `/clients/${id}`, { weight });
      expect(refused.status).toBe(400);
      expect(refused.body.error.message).toMatch(
        /^weight: expected a number greater than 0 and at most 1000/,
      );
    }
    expect((await api.admin('GET', `/clients/${id}`)).body.weight).toBe(0.5);
  });

  it('rotates a client key with an overlap: the old key works until it expires, then 401', async () => {
    const { client, key: oldKey } = await createClient('rotating', ['127.0.0.1']);
    const rotated = await api.admin('POST', `/clients/${client.id}/rotate-key`, { overlapSeconds: 1 });
    expect(rotated.status).toBe(201);
    expect(rotated.body).toEqual({
      client: expect.objectContaining({ id: client.id }),
      key: expect.stringMatching(/^kf_/),
      previousKeysExpireAt: ISO,
    });
    rawKeys.push(rotated.body.key);
    expect(rotated.body.client.keys).toHaveLength(2);
    expect((await api.call('GET', '/v1/whoami', { headers: bearer(oldKey) })).status).toBe(200);
    expect((await api.call('GET', '/v1/whoami', { headers: bearer(rotated.body.key) })).status).toBe(200);
    const waitMs = Date.parse(rotated.body.previousKeysExpireAt) - Date.now() + 50;
    if (waitMs > 0) await sleep(waitMs);
    expect((await api.call('GET', '/v1/whoami', { headers: bearer(oldKey) })).status).toBe(401);
    expect((await api.call('GET', '/v1/whoami', { headers: bearer(rotated.body.key) })).status).toBe(200);
  });

  it('uses a one-hour overlap by default', async () => {
    const { client } = await createClient('default-overlap', ['127.0.0.1']);
    const rotated = await api.admin('POST', `/clients/${client.id}/rotate-key`);
    rawKeys.push(rotated.body.key);
    const overlap = Date.parse(rotated.body.previousKeysExpireAt) - Date.now();
    expect(overlap).toBeGreaterThan(3_590_000);
    expect(overlap).toBeLessThanOrEqual(3_600_000);
  });

  it('deletes a client: its keys stop working and it is gone', async () => {
    const { client, key } = await createClient('to-delete', ['127.0.0.1']);
    const deleted = await api.admin('DELETE', `/clients/${client.id}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({ id: client.id, deletedAt: ISO, keys: [] });
    expect((await api.call('GET', '/v1/whoami', { headers: bearer(key) })).status).toBe(401);
    expect((await api.admin('GET', `/clients/${client.id}`)).status).toBe(404);
    expect((await api.admin('DELETE', `/clients/${client.id}`)).status).toBe(404);
    const names = (await api.admin('GET', '/clients')).body.clients.map((c: { name: string }) => c.name);
    expect(names).not.toContain('to-delete');
  });

  it('answers 404 for unknown clients', async () => {
    const missing = '00000000-0000-4000-8000-000000000000';
    for (const [method, path] of [
      ['GET', `/clients/${missing}`],
      ['PATCH', `/clients/${missing}`],
      ['POST', `/clients/${missing}/rotate-key`],
      ['DELETE', `/clients/nope`],
    ]) {
      const response = await api.admin(method, path, method === 'PATCH' ? { name: 'x' } : undefined);
      expect([path, response.status]).toEqual([path, 404]);
    }
  });

  it('audits each client change, and no response after creation or audit row holds a key', async () => {
    const audit = await api.admin('GET', '/audit?targetType=client&limit=500');
    const actions = audit.body.entries.map((e: { action: string }) => e.action);
    expect(actions.filter((a: string) => a === 'client.created')).toHaveLength(rawKeys.length - 2);
    expect(actions).toEqual(
      expect.arrayContaining(['client.updated', 'client.key_rotated', 'client.deleted']),
    );
    const rows = await api.sql.query<Array<{ details: unknown }>>('SELECT details FROM audit_log');
    const issuing = (text: string) => /"key":"kf_/.test(text);
    const everything = [...api.seenBodies.filter((text) => !issuing(text)), JSON.stringify(rows)];
    for (const key of rawKeys) expect(everything.join('\n')).not.toContain(key);
  });
});
