import { hashClientKey } from '@keyfleet/secrets';
import { AuditService, ClientsService } from '..';
import { bootRegistry, type RegistryHarness } from './registry-harness';

describe('ClientsService (Postgres)', () => {
  let h: RegistryHarness;
  let clients: ClientsService;

  beforeAll(async () => {
    h = await bootRegistry();
    clients = h.app.get(ClientsService);
  });
  afterAll(() => h.close());

  it('issues a kf_ key once, keeps only its hash, and authenticates with it', async () => {
    const { client, key } = await clients.create(
      { name: 'team-a', allowedIps: ['10.1.2.3/8', '2001:DB8::/32', '10.0.0.0/8'] },
      'admin',
    );
    expect(key).toMatch(/^kf_/);
    expect(client.allowedIps).toEqual(['10.0.0.0/8', '2001:db8::/32']);
    expect(client.keys).toEqual([expect.objectContaining({ lastFour: key.slice(-4), expiresAt: null })]);
    expect(JSON.stringify(client)).not.toContain(key);
    const rows = await h.sql.query<Array<{ key_hash: string }>>(
      'SELECT key_hash FROM client_keys WHERE client_id = $1',
      [client.id],
    );
    expect(rows).toEqual([{ key_hash: hashClientKey(key) }]);
    expect(await clients.authenticate(key)).toEqual({
      clientId: client.id,
      name: 'team-a',
      allowedIps: ['10.0.0.0/8', '2001:db8::/32'],
      keyExpiresAt: null,
      budget: null,
    });
    expect(await clients.authenticate(`${key}x`)).toBeNull();
    expect(await clients.authenticate('AIzaSyNotAClientKey')).toBeNull();
  });

  it('refuses an invalid allowlist even without the HTTP schema', async () => {
    await expect(clients.create({ name: 'bad', allowedIps: ['10.0.0.0/33'] }, 'admin')).rejects.toMatchObject(
      {
        code: 'INVALID_ARGUMENT',
        message: 'allowedIps: invalid CIDR "10.0.0.0/33"',
      },
    );
  });

  it('rotates with an overlap: old key valid until its expiry, then refused', async () => {
    const { client, key: oldKey } = await clients.create(
      { name: 'team-b', allowedIps: ['0.0.0.0/0'] },
      'admin',
    );
    const rotated = await clients.rotateKey(client.id, { overlapSeconds: 600 }, 'admin');
    expect(rotated.key).not.toBe(oldKey);
    expect(rotated.client.keys).toHaveLength(2);
    const expiresIn = Date.parse(rotated.previousKeysExpireAt) - Date.now();
    expect(expiresIn).toBeGreaterThan(590_000);
    expect(expiresIn).toBeLessThanOrEqual(600_000);
    expect((await clients.authenticate(oldKey))?.keyExpiresAt).toBeInstanceOf(Date);
    expect(await clients.authenticate(rotated.key)).toMatchObject({ keyExpiresAt: null });
    // Time passes: the overlap ends.
    await h.sql.query(
      `UPDATE client_keys SET expires_at = now() - interval '1 second' WHERE expires_at IS NOT NULL`,
    );
    expect(await clients.authenticate(oldKey)).toBeNull();
    expect(await clients.authenticate(rotated.key)).not.toBeNull();
    expect((await clients.get(client.id)).keys.map((k) => k.lastFour)).toEqual([rotated.key.slice(-4)]);
  });

  it('a rotation never extends an earlier, shorter overlap', async () => {
    const { client } = await clients.create({ name: 'team-c', allowedIps: ['0.0.0.0/0'] }, 'admin');
    const first = await clients.rotateKey(client.id, { overlapSeconds: 60 }, 'admin');
    await clients.rotateKey(client.id, { overlapSeconds: 3600 }, 'admin');
    const keys = (await clients.get(client.id)).keys;
    expect(keys).toHaveLength(3);
    expect(keys[0].expiresAt).toBe(first.previousKeysExpireAt);
    expect(keys[2].expiresAt).toBeNull();
  });

  it('authenticates many keys by their hashes in one call, leaving out the invalid ones', async () => {
    const live = await clients.create({ name: 'team-h1', allowedIps: ['10.0.0.0/8'] }, 'admin');
    const gone = await clients.create({ name: 'team-h2', allowedIps: ['10.0.0.0/8'] }, 'admin');
    await h.sql.query('UPDATE client_keys SET revoked_at = now() WHERE client_id = $1', [gone.client.id]);
    const unknown = hashClientKey('kf_neverIssuedToAnyoneAtAll0000');
    const found = await clients.authenticateHashes([
      hashClientKey(live.key),
      hashClientKey(gone.key),
      unknown,
    ]);
    expect([...found.keys()]).toEqual([hashClientKey(live.key)]);
    expect(found.get(hashClientKey(live.key))).toEqual(await clients.authenticate(live.key));
    expect(await clients.authenticateHashes([])).toEqual(new Map());
  });

  it('soft-deletes a client, revoking its keys', async () => {
    const { client, key } = await clients.create({ name: 'team-d', allowedIps: ['::/0'] }, 'admin');
    const deleted = await clients.delete(client.id, 'admin');
    expect(deleted.deletedAt).not.toBeNull();
    expect(await clients.authenticate(key)).toBeNull();
    expect((await clients.list()).map((c) => c.id)).not.toContain(client.id);
    await expect(clients.get(client.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const [row] = await h.sql.query<Array<{ revoked_at: Date | null }>>(
      'SELECT revoked_at FROM client_keys WHERE client_id = $1',
      [client.id],
    );
    expect(row.revoked_at).toBeInstanceOf(Date);
  });

  it('audits every change, newest first, with cursor pagination', async () => {
    const audit = h.app.get(AuditService);
    const all = await audit.list({ limit: 500 });
    const actions = all.entries.map((e) => e.action);
    expect(actions).toContain('client.created');
    expect(actions).toContain('client.key_rotated');
    expect(actions).toContain('client.deleted');
    const ids = all.entries.map((e) => Number(e.id));
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    const first = await audit.list({ limit: 2 });
    const second = await audit.list({ limit: 2, before: first.nextBefore! });
    expect(first.entries.map((e) => e.id)).toEqual(all.entries.slice(0, 2).map((e) => e.id));
    expect(second.entries.map((e) => e.id)).toEqual(all.entries.slice(2, 4).map((e) => e.id));
    expect((await audit.list({ action: 'client.deleted' })).entries).toHaveLength(1);
    expect(JSON.stringify(all)).not.toMatch(/kf_[A-Za-z0-9_-]{20}/);
  });
});
