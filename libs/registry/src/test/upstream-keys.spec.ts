import { AuditService, ProjectsService, UpstreamKeysService } from '..';
import { fingerprint } from '@keyfleet/secrets';
import { UpstreamKeyEntity } from '@keyfleet/persistence';
import { bootRegistry, type RegistryHarness } from './registry-harness';

const SECRET = 'AIzaSyTestSecretValueNumberOne0001';

describe('UpstreamKeysService (Postgres)', () => {
  let h: RegistryHarness;
  let keys: UpstreamKeysService;
  let audit: AuditService;
  let projectId: string;

  beforeAll(async () => {
    h = await bootRegistry({ KF_ROTATION_MIN_DAYS: '7', KF_ROTATION_MAX_DAYS: '15' });
    keys = h.app.get(UpstreamKeysService);
    audit = h.app.get(AuditService);
    projectId = (await h.app.get(ProjectsService).create({ name: 'p-keys', tier: 'free' }, 'admin')).id;
  });
  afterAll(() => h.close());

  it('stores the secret only encrypted, and decrypts it back', async () => {
    const view = await keys.add(projectId, SECRET, 'admin');
    const [row] = await h.sql.query<
      Array<{ secret_ciphertext: Buffer; fingerprint: string; last_four: string; master_key_id: string }>
    >('SELECT secret_ciphertext, fingerprint, last_four, master_key_id FROM upstream_keys WHERE id = $1', [
      view.id,
    ]);
    expect(Buffer.isBuffer(row.secret_ciphertext)).toBe(true);
    expect(row.secret_ciphertext.toString('latin1')).not.toContain(SECRET);
    expect(row.secret_ciphertext.toString('latin1')).not.toContain('TestSecret');
    expect(row.fingerprint).toBe(fingerprint(SECRET));
    expect(row.last_four).toBe('0001');
    const entity = await h.sql
      .getRepository(UpstreamKeyEntity)
      .createQueryBuilder('k')
      .addSelect('k.secretCiphertext')
      .where('k.id = :id', { id: view.id })
      .getOneOrFail();
    expect(keys.decryptSecret(entity)).toBe(SECRET);
    expect(view.fingerprint).toBe(fingerprint(SECRET).slice(0, 16));
    expect(view.lastFour).toBe('0001');
    expect(JSON.stringify(view)).not.toContain(SECRET);
  });

  it('draws the rotation due date within the configured window', async () => {
    const views = await Promise.all(
      [2, 3, 4, 5].map((n) => keys.add(projectId, `AIzaSyWindowTestSecret000${n}`, 'admin')),
    );
    for (const view of views) {
      const days = (Date.parse(view.rotationDueAt) - Date.parse(view.issuedAt)) / 86_400_000;
      expect(days).toBeGreaterThanOrEqual(7);
      expect(days).toBeLessThanOrEqual(15);
      expect(view.overdue).toBe(false);
      expect(view.status).toBe('active');
    }
  });

  it('refuses a secret that is already registered, without echoing it', async () => {
    await expect(keys.add(projectId, SECRET, 'admin')).rejects.toMatchObject({
      code: 'ALREADY_EXISTS',
      message: expect.not.stringContaining(SECRET),
    });
  });

  it('takes a key out of service once, audited, and is idempotent', async () => {
    const view = await keys.add(projectId, 'AIzaSyToBeDisabledSecret9999', 'admin');
    await keys.takeOutOfService(view.id, 'API_KEY_INVALID', 'worker');
    await keys.takeOutOfService(view.id, 'API_KEY_INVALID', 'worker');
    const after = await keys.get(view.id);
    expect(after.status).toBe('disabled');
    expect(after.statusReason).toBe('API_KEY_INVALID');
    const { entries } = await audit.list({ targetId: view.id, action: 'upstream_key.disabled' });
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ actor: 'worker', targetType: 'upstream_key' });
    expect(entries[0].details).toMatchObject({ lastFour: '9999', status: 'disabled' });
    // A revoked key stays revoked.
    await keys.revoke(view.id, 'admin');
    await keys.takeOutOfService(view.id, 'again', 'worker');
    expect((await keys.get(view.id)).status).toBe('revoked');
  });

  it('lists keys by project, status and due window', async () => {
    const overdue = await keys.add(projectId, 'AIzaSyOverdueSecretValue7777', 'admin');
    await h.sql.query(`UPDATE upstream_keys SET rotation_due_at = now() - interval '1 day' WHERE id = $1`, [
      overdue.id,
    ]);
    const dueNow = await keys.list({ due: 0 });
    expect(dueNow.map((k) => k.id)).toEqual([overdue.id]);
    expect(dueNow[0].overdue).toBe(true);
    expect((await keys.list({ due: 16 })).length).toBeGreaterThanOrEqual(5);
    expect((await keys.list({ status: 'revoked' })).map((k) => k.status)).toEqual(['revoked']);
    expect(await keys.list({ projectId: '00000000-0000-0000-0000-000000000000' })).toEqual([]);
  });

  it('answers 404 for unknown or malformed ids', async () => {
    await expect(keys.get('00000000-0000-0000-0000-000000000000')).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(keys.get('nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(keys.add('nope', 'AIzaSyWhatever1234', 'admin')).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });
});
