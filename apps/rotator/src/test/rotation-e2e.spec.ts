import { expectedRestrictions, KeyIssuers } from '@keyfleet/issuers';
import { UpstreamKeysService } from '@keyfleet/registry';
import { simApiKeys } from '@keyfleet/testing';
import { bootFullStack, eventually, type FullStack } from './full-stack';
import { MODEL } from './rotator-harness';

jest.setTimeout(90_000);

const GCP = 'kf-e2e-alpha';

describe('rotation end to end: api + worker + rotator + simulator', () => {
  let stack: FullStack;
  let projectId: string;
  let firstKeyId: string;

  const keyRows = () =>
    stack.sql.query<Array<{ id: string; status: string; last_four: string }>>(
      'SELECT id, status, last_four FROM upstream_keys WHERE project_id = $1 ORDER BY issued_at',
      [projectId],
    );

  beforeAll(async () => {
    stack = await bootFullStack({
      latencyMs: { min: 100, max: 250 },
      projects: [{ id: GCP, limits: { [MODEL]: { rpm: 1000, tpm: 1e7, rpd: 1e5 } } }],
    });
    const project = await stack.admin('POST', '/projects', {
      name: 'alpha',
      gcpProjectId: GCP,
      issuer: 'google-api-keys',
      serviceAccountEmail: `keyfleet@${GCP}.iam.gserviceaccount.com`,
      egressIps: ['127.0.0.1'],
      limits: { [MODEL]: { rpm: 1000, tpm: 1_000_000, rpd: 100_000 } },
    });
    projectId = project.body.id;
    // The project's first key, issued upstream (so that its rotation can delete it there).
    const issued = await stack.rotator
      .get(KeyIssuers)
      .of('google-api-keys')!
      .issue({
        gcpProjectId: GCP,
        keyId: 'kf-e2e-first',
        displayName: 'first',
        restrictions: expectedRestrictions(['127.0.0.1']),
        serviceAccountEmail: `keyfleet@${GCP}.iam.gserviceaccount.com`,
      });
    firstKeyId = (
      await stack.rotator
        .get(UpstreamKeysService)
        .add(projectId, issued.keyString, 'admin', { upstreamName: issued.name })
    ).id;
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('a batch that runs across an admin rotation loses nothing and never uses the deleted key', async () => {
    const batchId = await stack.submit(60, 'across');
    await eventually(async () => {
      const batch = (await stack.http('GET', `/v1/batches/${batchId}`, stack.clientKey)).body;
      return batch.counts.succeeded >= 10 ? true : undefined;
    });
    const rotated = await stack.admin('POST', `/keys/${firstKeyId}/rotate`);
    expect(rotated.status).toBe(202);
    expect(rotated.body.rotation).toMatchObject({ oldKeyId: firstKeyId, reason: 'admin' });

    const batch = await stack.finished(batchId);
    expect(batch.counts).toMatchObject({ total: 60, succeeded: 60, failed: 0 });
    // The rotation completes after its drain: the old key deleted upstream and revoked.
    await eventually(async () => {
      const old = (await stack.admin('GET', `/keys/${firstKeyId}`)).body;
      return old.status === 'revoked' ? true : undefined;
    });
    const rows = await keyRows();
    expect(rows.map((row) => row.status)).toEqual(['revoked', 'active']);
    const stats = await stack.sim.stats();
    expect(stats.totals.errors4xx).toBe(0); // not one request with the deleted key
    expect(stats.keys[rows[0].last_four].requests).toBeGreaterThan(0);
    expect(stats.keys[rows[1].last_four].requests).toBeGreaterThan(0);
    // The 60 items, and the new key's proof before it served (one models.list, no generation quota).
    expect(stats.keys[rows[0].last_four].requests + stats.keys[rows[1].last_four].requests).toBe(61);
    expect(stats.totals.admitted).toBe(60);
    const upstream = (await simApiKeys(stack.sim.url).snapshot()).keys;
    expect(upstream.find((key) => key.name.endsWith('/kf-e2e-first'))?.deleteTime).toEqual(
      expect.any(String),
    );
  });

  it('a leaked-key 403 takes the key out of service and replaces it through the issuer, no admin needed', async () => {
    const [, current] = await keyRows();
    const currentName = (
      await stack.sql.query<Array<{ upstream_name: string }>>(
        'SELECT upstream_name FROM upstream_keys WHERE id = $1',
        [current.id],
      )
    )[0].upstream_name;
    const leaked = (await simApiKeys(stack.sim.url).snapshot()).keys.find((key) => key.name === currentName)!;
    await stack.sim.patchKey(leaked.keyString, { status: 'leaked' });

    const batch = await stack.finished(await stack.submit(5, 'after-leak'));

    expect(batch.counts).toMatchObject({ total: 5, succeeded: 5, failed: 0 });
    const rotation = await eventually(async () => {
      const [row] = await stack.sql.query<Array<{ reason: string; step: string }>>(
        'SELECT reason, step FROM key_rotations WHERE old_key_id = $1',
        [current.id],
      );
      return row?.step === 'done' ? row : undefined;
    });
    expect(rotation.reason).toBe('emergency');
    expect((await keyRows()).map((row) => row.status)).toEqual(['revoked', 'revoked', 'active']);
    const actions = await stack.sql.query<Array<{ action: string; actor: string }>>(
      'SELECT action, actor FROM audit_log WHERE target_id = $1 ORDER BY id',
      [current.id],
    );
    expect(actions).toEqual(
      expect.arrayContaining([
        { action: 'upstream_key.disabled', actor: 'worker' },
        { action: 'key_rotation.requested', actor: 'worker' },
        { action: 'key_rotation.completed', actor: 'rotator' },
      ]),
    );
    // The leaked key is deleted upstream at once (no drain for a key that serves nothing).
    const upstream = (await simApiKeys(stack.sim.url).snapshot()).keys.find(
      (key) => key.name === currentName,
    );
    expect(upstream?.deleteTime).toEqual(expect.any(String));
  });
});
