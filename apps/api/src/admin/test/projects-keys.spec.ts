/* eslint-disable @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-call -- JSON answers of many shapes */
import { TIER_PRESETS } from '@keyfleet/registry';
import { bootApi, type ApiHarness } from './api-harness';

const ISO = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
const UUID = expect.stringMatching(/^[0-9a-f-]{36}$/);
const SECRETS = [
  'AIzaSyHttpTestSecretOne00001',
  'AIzaSyHttpTestSecretTwo00002',
  'AIzaSyHttpTestReplacement0003',
];
const MISSING = '00000000-0000-4000-8000-000000000000';

describe('admin API: projects, limits and upstream keys (HTTP)', () => {
  let api: ApiHarness;
  let projectId: string;
  let keyId: string;

  beforeAll(async () => {
    api = await bootApi({ KF_ROTATION_MIN_DAYS: '7', KF_ROTATION_MAX_DAYS: '15' });
  });
  afterAll(() => api.close());

  it('creates a project with a tier, explicit limits and egress IPs', async () => {
    const response = await api.admin('POST', '/projects', {
      name: 'proj-a',
      gcpProjectId: 'proj-a-123',
      tier: 'free',
      limits: { 'gemini-2.5-flash': { rpm: 7, tpm: 70000, rpd: 700 } },
      egressIps: ['203.0.113.7', '::ffff:198.51.100.1'],
    });
    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      id: UUID,
      name: 'proj-a',
      gcpProjectId: 'proj-a-123',
      tier: 'free',
      issuer: 'manual',
      egressIps: ['203.0.113.7', '198.51.100.1'],
      serviceAccountEmail: null,
      limits: {
        'gemini-2.0-flash': TIER_PRESETS.free['gemini-2.0-flash'],
        'gemini-2.5-flash': { rpm: 7, tpm: 70000, rpd: 700, tpd: null },
        'gemini-2.5-flash-lite': TIER_PRESETS.free['gemini-2.5-flash-lite'],
        'gemini-2.5-pro': TIER_PRESETS.free['gemini-2.5-pro'],
      },
      explicitLimitModels: ['gemini-2.5-flash'],
      spendLimitUsd: null, // the free tier has no spend limit
      spendLimitExplicit: false,
      billingGroup: null,
      batchMaxJobs: 100,
      batchEnqueuedTokens: {},
      keyCounts: { active: 0, retiring: 0, disabled: 0, revoked: 0 },
      createdAt: ISO,
      updatedAt: ISO,
    });
    projectId = response.body.id;
  });

  it('refuses a second project with the same name (409)', async () => {
    const response = await api.admin('POST', '/projects', { name: 'proj-a' });
    expect(response.status).toBe(409);
    expect(response.body.error).toEqual({
      code: 409,
      message: 'a project named "proj-a" already exists',
      status: 'ALREADY_EXISTS',
    });
  });

  it('lists and gets projects', async () => {
    await api.admin('POST', '/projects', { name: 'proj-b' });
    const list = await api.admin('GET', '/projects');
    expect(list.status).toBe(200);
    expect(list.body.projects.map((p: { name: string }) => p.name)).toEqual(['proj-a', 'proj-b']);
    expect(list.body.projects[1].limits).toEqual({});
    const one = await api.admin('GET', `/projects/${projectId}`);
    expect(one.body).toEqual(list.body.projects[0]);
  });

  it('sets, replaces and removes a per-model limit', async () => {
    const put = await api.admin('PUT', `/projects/${projectId}/limits/gemini-3-pro-preview`, {
      rpm: 2,
      tpm: 1000,
      rpd: null,
      tpd: 5000,
    });
    expect(put.status).toBe(200);
    expect(put.body.limits['gemini-3-pro-preview']).toEqual({ rpm: 2, tpm: 1000, rpd: null, tpd: 5000 });
    expect(put.body.explicitLimitModels).toEqual(['gemini-2.5-flash', 'gemini-3-pro-preview']);
    const replaced = await api.admin('PUT', `/projects/${projectId}/limits/gemini-3-pro-preview`, {
      rpm: 3,
      tpm: 10,
    });
    expect(replaced.body.limits['gemini-3-pro-preview']).toEqual({ rpm: 3, tpm: 10, rpd: null, tpd: null });
    const removed = await api.admin('DELETE', `/projects/${projectId}/limits/gemini-2.5-flash`);
    expect(removed.status).toBe(200);
    expect(removed.body.limits['gemini-2.5-flash']).toEqual(TIER_PRESETS.free['gemini-2.5-flash']);
    expect((await api.admin('DELETE', `/projects/${projectId}/limits/gemini-2.5-flash`)).status).toBe(404);
  });

  it('patches a project: fields, tier and limits (null drops an explicit one)', async () => {
    const response = await api.admin('PATCH', `/projects/${projectId}`, {
      tier: 'tier3',
      egressIps: ['2001:DB8::1'],
      limits: { 'gemini-3-pro-preview': null, 'gemini-2.5-flash-lite': { rpm: 1, tpm: 2, rpd: 3, tpd: 4 } },
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ name: 'proj-a', tier: 'tier3', egressIps: ['2001:db8::1'] });
    expect(Object.keys(response.body.limits)).toEqual([
      'gemini-2.5-flash',
      'gemini-2.5-flash-lite',
      'gemini-2.5-pro',
    ]);
    expect(response.body.explicitLimitModels).toEqual(['gemini-2.5-flash-lite']);
  });

  it('adds a key and answers it without its secret', async () => {
    const response = await api.admin('POST', `/projects/${projectId}/keys`, { secret: SECRETS[0] });
    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      id: UUID,
      projectId,
      type: 'standard',
      warning: expect.stringContaining('Gemini refuses standard keys'),
      status: 'active',
      statusReason: null,
      statusChangedAt: null,
      fingerprint: expect.stringMatching(/^[0-9a-f]{16}$/),
      lastFour: '0001',
      issuedAt: ISO,
      rotationDueAt: ISO,
      overdue: false,
      upstreamName: null,
      createdAt: ISO,
    });
    const days = (Date.parse(response.body.rotationDueAt) - Date.parse(response.body.issuedAt)) / 86_400_000;
    expect(days).toBeGreaterThanOrEqual(7);
    expect(days).toBeLessThanOrEqual(15);
    keyId = response.body.id;
    const duplicate = await api.admin('POST', `/projects/${projectId}/keys`, { secret: SECRETS[0] });
    expect(duplicate.status).toBe(409);
    const project = await api.admin('GET', `/projects/${projectId}`);
    expect(project.body.keyCounts).toEqual({ active: 1, retiring: 0, disabled: 0, revoked: 0 });
  });

  it('lists keys with filters', async () => {
    const other = await api.admin('GET', '/projects');
    const projectB = other.body.projects[1].id as string;
    await api.admin('POST', `/projects/${projectB}/keys`, { secret: SECRETS[1] });
    expect((await api.admin('GET', '/keys')).body.keys).toHaveLength(2);
    const ofA = await api.admin('GET', `/keys?projectId=${projectId}`);
    expect(ofA.body.keys.map((k: { id: string }) => k.id)).toEqual([keyId]);
    expect((await api.admin('GET', '/keys?status=revoked')).body.keys).toEqual([]);
    expect((await api.admin('GET', '/keys?due=0')).body.keys).toEqual([]);
    expect((await api.admin('GET', '/keys?due=15')).body.keys).toHaveLength(2);
    expect((await api.admin('GET', `/keys/${keyId}`)).body.id).toBe(keyId);
  });

  it('rotates a manual key: the replacement is active, the old key revoked', async () => {
    const missing = await api.admin('POST', `/keys/${keyId}/rotate`);
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toMatch(/^secret: required/);
    const response = await api.admin('POST', `/keys/${keyId}/rotate`, { secret: SECRETS[2] });
    expect(response.status).toBe(201);
    expect(response.body.oldKey).toMatchObject({
      id: keyId,
      status: 'revoked',
      statusReason: expect.stringContaining('rotated'),
    });
    expect(response.body.newKey).toMatchObject({ projectId, status: 'active', lastFour: '0003' });
    const again = await api.admin('POST', `/keys/${keyId}/rotate`, { secret: 'AIzaSyYetAnotherSecret0004' });
    expect(again.status).toBe(400);
    expect(again.body.error.status).toBe('FAILED_PRECONDITION');
    const audit = await api.admin('GET', `/audit?targetId=${keyId}`);
    expect(audit.body.entries.map((e: { action: string }) => e.action)).toEqual([
      'upstream_key.revoked',
      'upstream_key.retiring',
      'upstream_key.added',
    ]);
  });

  it('hands a google-api-keys rotation to the rotator (202), refusing a secret, idempotently', async () => {
    const lacking = await api.admin('POST', '/projects', {
      name: 'proj-g',
      issuer: 'google-api-keys',
      gcpProjectId: 'proj-g-123',
    });
    expect(lacking.status).toBe(400);
    expect(lacking.body.error.message).toMatch(
      /^serviceAccountEmail: required when issuer is google-api-keys/,
    );
    const project = await api.admin('POST', '/projects', {
      name: 'proj-g',
      issuer: 'google-api-keys',
      gcpProjectId: 'proj-g-123',
      serviceAccountEmail: 'keyfleet@proj-g-123.iam.gserviceaccount.com',
    });
    expect(project.status).toBe(201);
    const key = await api.admin('POST', `/projects/${project.body.id}/keys`, {
      secret: 'AIzaSyGoogleIssuedKey0005',
    });
    const withSecret = await api.admin('POST', `/keys/${key.body.id}/rotate`, {
      secret: 'AIzaSyGoogleIssuedKey0006',
    });
    expect(withSecret.status).toBe(400);
    expect(withSecret.body.error.message).toContain('issuer makes the replacement');
    const response = await api.admin('POST', `/keys/${key.body.id}/rotate`);
    expect(response.status).toBe(202);
    expect(response.body).toMatchObject({
      oldKey: { id: key.body.id, status: 'active' },
      newKey: null,
      rotation: { oldKeyId: key.body.id, reason: 'admin', step: 'issuing', newKeyId: null },
    });
    const again = await api.admin('POST', `/keys/${key.body.id}/rotate`);
    expect(again.body.rotation.id).toBe(response.body.rotation.id);
  });

  it('migrates an issuer project to auth keys (202, audited); a manual project is a 400', async () => {
    const manual = await api.admin('POST', '/keys/migrate', { projectId });
    expect(manual.status).toBe(400);
    expect(manual.body.error.message).toMatch(/^projectId: project proj-a has issuer manual/);
    const project = await api.admin('POST', '/projects', {
      name: 'proj-m',
      issuer: 'google-api-keys',
      gcpProjectId: 'proj-m-123',
      serviceAccountEmail: 'keyfleet@proj-m-123.iam.gserviceaccount.com',
    });
    const standard = await api.admin('POST', `/projects/${project.body.id}/keys`, {
      secret: 'AIzaSyMigrateStandardKe0010',
    });
    const auth = await api.admin('POST', `/projects/${project.body.id}/keys`, {
      secret: 'AQ.Ab8MigrateAuthKey0000011',
    });
    expect(auth.body).toMatchObject({ type: 'auth' });
    expect(auth.body.warning).toBeUndefined();
    const migrated = await api.admin('POST', '/keys/migrate', { projectId: project.body.id });
    expect(migrated.status).toBe(202);
    expect(migrated.body).toEqual({
      projectIds: [project.body.id],
      requested: [
        {
          keyId: standard.body.id,
          projectId: project.body.id,
          lastFour: '0010',
          rotationId: UUID,
          step: 'issuing',
        },
      ],
      alreadyRotating: [],
      authKeys: 1,
    });
    const rotation = await api.admin('GET', `/keys/${standard.body.id}`);
    expect(rotation.body.type).toBe('standard');
    // Every issuer project: proj-g's key is being rotated already (admin), proj-m's now too.
    const all = await api.admin('POST', '/keys/migrate', {});
    expect(all.status).toBe(202);
    expect(all.body.requested).toEqual([]);
    expect(all.body.alreadyRotating.map((k: { lastFour: string }) => k.lastFour).sort()).toEqual([
      '0005',
      '0010',
    ]);
    const audit = await api.admin('GET', '/audit?action=upstream_keys.migration_requested');
    expect(audit.body.entries).toHaveLength(2);
    expect(audit.body.entries[1].details).toMatchObject({ requested: [standard.body.id], authKeys: 1 });
  });

  it('revokes a key (idempotently)', async () => {
    const added = await api.admin('POST', `/projects/${projectId}/keys`, {
      secret: 'AIzaSyToBeRevokedKey00007',
    });
    const response = await api.admin('DELETE', `/keys/${added.body.id}`);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ id: added.body.id, status: 'revoked' });
    expect((await api.admin('DELETE', `/keys/${added.body.id}`)).body.status).toBe('revoked');
    const audit = await api.admin('GET', `/audit?targetId=${added.body.id}&action=upstream_key.revoked`);
    expect(audit.body.entries).toHaveLength(1);
  });

  it('answers 404 NOT_FOUND for unknown ids', async () => {
    for (const [method, path, body] of [
      ['GET', `/projects/${MISSING}`],
      ['GET', '/projects/not-a-uuid'],
      ['PATCH', `/projects/${MISSING}`, { tier: 'free' }],
      ['PUT', `/projects/${MISSING}/limits/gemini-2.5-flash`, { rpm: 1, tpm: 1 }],
      ['POST', `/projects/${MISSING}/keys`, { secret: 'AIzaSyNeverStored000008' }],
      ['GET', `/keys/${MISSING}`],
      ['POST', `/keys/${MISSING}/rotate`, { secret: 'AIzaSyNeverStored000009' }],
      ['DELETE', `/keys/${MISSING}`],
    ] as const) {
      const response = await api.admin(method, path, body);
      expect([path, response.status, response.body.error?.status]).toEqual([path, 404, 'NOT_FOUND']);
    }
  });

  it('audits every mutation as admin, and no body or audit row holds a secret', async () => {
    const audit = await api.admin('GET', '/audit?limit=500');
    const actions = new Set(audit.body.entries.map((e: { action: string }) => e.action));
    for (const action of [
      'project.created',
      'project.updated',
      'project.limit_set',
      'project.limit_removed',
      'upstream_key.added',
      'upstream_key.retiring',
      'upstream_key.revoked',
    ]) {
      expect(actions).toContain(action);
    }
    expect(audit.body.entries.every((e: { actor: string }) => e.actor === 'admin')).toBe(true);
    const rows = await api.sql.query<Array<{ details: unknown }>>('SELECT details FROM audit_log');
    const everything = [...api.seenBodies, JSON.stringify(rows)].join('\n');
    for (const secret of [...SECRETS, 'AIzaSyGoogleIssuedKey0005', 'AIzaSyToBeRevokedKey00007']) {
      expect(everything).not.toContain(secret);
    }
  });
});
