import { simApiKeys } from '@keyfleet/testing';
import { bootFullStack, eventually, type FullStack } from './full-stack';
import { MODEL } from './rotator-harness';

jest.setTimeout(120_000);

const LIMITS = { [MODEL]: { rpm: 1000, tpm: 1e7, rpd: 1e5 } };
const MIGRATING = 'kf-e2e-migrate';
const REFUSING = 'kf-e2e-refused';
const STANDARD = [
  'AIzaSyMigrateStandardKeyOne01',
  'AIzaSyMigrateStandardKeyTwo02',
  'AIzaSyMigrateStandardKeyThr03',
];
const REFUSED = 'AIzaSyRefusedStandardKey00004';

describe('auth keys end to end: migration and refused standard keys (api + worker + rotator + simulator)', () => {
  let stack: FullStack;
  let migratingId: string;

  const itemsOf = (batchId: string) =>
    stack.sql.query<Array<{ status: string; attempts: number }>>(
      'SELECT status, attempts FROM batch_items WHERE batch_id = $1',
      [batchId],
    );
  const issuerProject = async (gcpProjectId: string) =>
    (
      await stack.admin('POST', '/projects', {
        name: gcpProjectId,
        gcpProjectId,
        issuer: 'google-api-keys',
        serviceAccountEmail: `keyfleet@${gcpProjectId}.iam.gserviceaccount.com`,
        egressIps: ['127.0.0.1'],
        limits: { [MODEL]: { rpm: 1000, tpm: 1_000_000, rpd: 100_000 } },
      })
    ).body.id as string;
  const keysOf = async (projectId: string) =>
    (await stack.admin('GET', `/keys?projectId=${projectId}`)).body.keys as Array<{
      id: string;
      type: string;
      status: string;
    }>;

  beforeAll(async () => {
    stack = await bootFullStack({
      latencyMs: { min: 100, max: 250 },
      projects: [
        { id: MIGRATING, limits: LIMITS, keys: STANDARD },
        { id: REFUSING, limits: LIMITS, keys: [REFUSED] },
      ],
      // Before 19 June 2026: the standard keys still work while they are migrated.
      keyPolicy: { standardKeys: 'accepted' },
    });
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('migrates a project with three standard keys to three auth keys while a batch runs: nothing lost or failed', async () => {
    const projectId = await issuerProject(MIGRATING);
    migratingId = projectId;
    for (const secret of STANDARD) {
      const added = await stack.admin('POST', `/projects/${projectId}/keys`, { secret });
      expect(added.status).toBe(201);
      expect(added.body).toMatchObject({ type: 'standard', warning: expect.stringContaining('refuses') });
    }
    const batchId = await stack.submit(60, 'migrating');
    await eventually(async () => {
      const batch = (await stack.http('GET', `/v1/batches/${batchId}`, stack.clientKey)).body;
      return batch.counts.succeeded >= 10 ? true : undefined;
    });

    const migrated = await stack.admin('POST', '/keys/migrate', { projectId });

    expect(migrated.status).toBe(202);
    expect(migrated.body.requested).toHaveLength(3);
    const batch = await stack.finished(batchId, 90_000);
    expect(batch.counts).toMatchObject({ total: 60, succeeded: 60, failed: 0 });
    expect((await itemsOf(batchId)).every((item) => item.attempts === 0)).toBe(true);
    const keys = await eventually(async () => {
      const all = await keysOf(projectId);
      return all.filter((key) => key.status === 'revoked').length === 3 ? all : undefined;
    });
    expect(keys.map((key) => [key.type, key.status]).sort()).toEqual([
      ['auth', 'active'],
      ['auth', 'active'],
      ['auth', 'active'],
      ['standard', 'revoked'],
      ['standard', 'revoked'],
      ['standard', 'revoked'],
    ]);
    const upstream = (await simApiKeys(stack.sim.url).snapshot()).keys.filter((key) =>
      key.name.startsWith(`projects/${MIGRATING}/`),
    );
    expect(upstream).toHaveLength(3);
    for (const key of upstream) {
      expect(key.keyString).toMatch(/^AQ\./);
      expect(key.serviceAccountEmail).toBe(`keyfleet@${MIGRATING}.iam.gserviceaccount.com`);
    }
    expect((await stack.sim.stats()).totals.errors4xx).toBe(0);
    const reasons = await stack.sql.query<Array<{ reason: string; step: string }>>(
      'SELECT reason, step FROM key_rotations WHERE project_id = $1',
      [projectId],
    );
    expect(reasons).toEqual(Array.from({ length: 3 }, () => ({ reason: 'migration', step: 'done' })));
    const audit = await stack.admin('GET', '/audit?action=upstream_keys.migration_requested');
    expect(audit.body.entries).toHaveLength(1);
  });

  it('a standard key Google refuses during a batch is replaced by an auth key at once; the batch loses nothing', async () => {
    // Since September 2026: standard keys refused. The migrated project's keys leave the pool, so
    // that every item goes through the refusing project.
    await stack.sim.setKeyPolicy({ standardKeys: 'refused' });
    for (const key of await keysOf(migratingId))
      if (key.status === 'active') await stack.admin('DELETE', `/keys/${key.id}`);
    await new Promise((resolve) => setTimeout(resolve, 2500)); // the pools' cache (2 s) forgets them
    const projectId = await issuerProject(REFUSING);
    const refused = (await stack.admin('POST', `/projects/${projectId}/keys`, { secret: REFUSED })).body
      .id as string;
    const createsBefore = (await simApiKeys(stack.sim.url).snapshot()).counts.creates;

    const batchId = await stack.submit(30, 'refused');

    const batch = await stack.finished(batchId, 90_000);
    expect(batch.counts).toMatchObject({ total: 30, succeeded: 30, failed: 0 });
    expect((await itemsOf(batchId)).every((item) => item.attempts === 0)).toBe(true);
    const [rotation] = await stack.sql.query<Array<{ reason: string; new_key_id: string }>>(
      'SELECT reason, new_key_id FROM key_rotations WHERE old_key_id = $1',
      [refused],
    );
    expect(rotation.reason).toBe('emergency');
    const keys = await eventually(async () => {
      const all = await keysOf(projectId);
      return all.some((key) => key.status === 'revoked') ? all : undefined;
    });
    expect(keys.map((key) => [key.id === refused, key.type, key.status]).sort()).toEqual([
      [false, 'auth', 'active'],
      [true, 'standard', 'revoked'],
    ]);
    const [disabled] = await stack.sql.query<Array<{ details: { reason: string } }>>(
      `SELECT details FROM audit_log WHERE target_id = $1 AND action = 'upstream_key.disabled'`,
      [refused],
    );
    expect(disabled.details.reason).toContain('ACCESS_TOKEN_TYPE_UNSUPPORTED');
    // One replacement, not a chain of them.
    expect((await simApiKeys(stack.sim.url).snapshot()).counts.creates).toBe(createsBefore + 1);
    const stats = await stack.sim.stats();
    expect(stats.keys[REFUSED.slice(-4)].requests).toBeGreaterThanOrEqual(1);
  });
});
