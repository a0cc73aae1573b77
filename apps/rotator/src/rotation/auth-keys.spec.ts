import type { INestApplicationContext } from '@nestjs/common';
import { KeyRotationService, PoolService, RotationRequests, UpstreamKeysService } from '@keyfleet/registry';
import {
  bootRotatorHarness,
  EGRESS_IPS,
  makeReady,
  MODEL,
  rotationOf,
  serviceAccountOf,
  statusesOf,
  type RotatorHarness,
} from '../test/rotator-harness';
import { DueRotations } from './due-rotations';
import { KeyRotator } from './key-rotator';
import { rotationMetrics } from './rotation-metrics';

jest.setTimeout(60_000);

const SERVICE = 'generativelanguage.googleapis.com';

describe('auth keys: issued bound to the service account, proven before they serve (simulator, Postgres)', () => {
  let h: RotatorHarness;
  let rotator: INestApplicationContext;

  beforeAll(async () => {
    h = await bootRotatorHarness(['kf-auth-issue', 'kf-auth-slow', 'kf-auth-never', 'kf-auth-nosa']);
    rotator = await h.openRotator();
  });
  afterAll(() => h.close());

  const upstreamOf = async (keyId: string) => {
    const [row] = await h.sql.query<Array<{ upstream_name: string }>>(
      'SELECT upstream_name FROM upstream_keys WHERE id = $1',
      [keyId],
    );
    return (await h.apiKeys()).keys.find((key) => key.name === row?.upstream_name);
  };
  const auditOf = (keyId: string, action: string) =>
    h.sql.query<Array<{ details: Record<string, unknown> }>>(
      'SELECT details FROM audit_log WHERE target_id = $1 AND action = $2 ORDER BY id',
      [keyId, action],
    );
  const counted = async (metric: typeof rotationMetrics.stopped) =>
    (await metric.get()).values[0]?.value ?? 0;

  it('a rotation issues an AQ. key bound to the service account, with the Gemini API and egress IP restrictions', async () => {
    const { projectId, keys } = await h.issuerProject('kf-auth-issue', 1);
    const [old] = keys;
    await rotator.get(RotationRequests).request(old.id, 'admin', 'admin');

    expect(await rotator.get(KeyRotator).runReady()).toEqual({ steps: 3, completed: 1, failed: 0 });

    const rotation = await rotationOf(h.sql, old.id);
    const upstream = await upstreamOf(rotation!.new_key_id!);
    expect(upstream?.keyString).toMatch(/^AQ\./);
    expect(upstream).toMatchObject({
      serviceAccountEmail: serviceAccountOf('kf-auth-issue'),
      restrictions: { apiTargets: [{ service: SERVICE }], serverKeyRestrictions: { allowedIps: EGRESS_IPS } },
    });
    expect(await h.generateStatus(upstream!.keyString)).toBe(200);
    expect(await rotator.get(UpstreamKeysService).get(rotation!.new_key_id!)).toMatchObject({
      type: 'auth',
      status: 'active',
    });
    expect(await statusesOf(h.sql, projectId)).toEqual({
      [old.id]: 'revoked',
      [rotation!.new_key_id!]: 'active',
    });
    const [issued] = await auditOf(old.id, 'key_rotation.issued');
    expect(issued.details).toMatchObject({
      serviceAccountEmail: serviceAccountOf('kf-auth-issue'),
      proofCalls: 1,
    });
  });

  it('a new key that answers 401 for a while (propagation) is retried until it works, then serves', async () => {
    const { keys } = await h.issuerProject('kf-auth-slow', 1);
    const [old] = keys;
    await h.sim.setKeyPolicy({ keyPropagationMs: 1500 });
    try {
      const patient = await h.openRotator({ KF_KEY_PROOF_SECONDS: '10' });
      await patient.get(RotationRequests).request(old.id, 'admin', 'admin');
      const started = Date.now();

      expect(await patient.get(KeyRotator).advance((await rotationOf(h.sql, old.id))!.id, 1)).toEqual({
        steps: 1,
        completed: 0,
        failed: 0,
      });

      expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
      const rotation = await rotationOf(h.sql, old.id);
      expect(rotation?.step).toBe('draining');
      const [issued] = await auditOf(old.id, 'key_rotation.issued');
      expect(issued.details['proofCalls']).toBeGreaterThan(1);
      expect(await h.generateStatus((await upstreamOf(rotation!.new_key_id!))!.keyString)).toBe(200);
      expect(await patient.get(KeyRotator).advance(rotation!.id, 10)).toMatchObject({ completed: 1 });
      await h.closeRotator(patient);
    } finally {
      await h.sim.setKeyPolicy({ keyPropagationMs: 0 });
    }
  });

  it('a key that never works fails its step and leaves the old key serving; a few failures stop the rotation with an alert', async () => {
    const { projectId, keys } = await h.issuerProject('kf-auth-never', 1);
    const [old] = keys;
    const oldSecret = (await h.apiKeys()).keys.find((key) => key.name === old.upstreamName)!.keyString;
    await h.sim.setKeyPolicy({ keyPropagationMs: 600_000 });
    const strict = await h.openRotator({ KF_KEY_PROOF_SECONDS: '1', KF_KEY_PROOF_MAX_FAILURES: '2' });
    const createsBefore = (await h.apiKeys()).counts.creates;
    const stoppedBefore = await counted(rotationMetrics.stopped);
    const proofFailuresBefore = await counted(rotationMetrics.proofFailures);
    try {
      await strict.get(RotationRequests).request(old.id, 'scheduled', 'rotator');
      const id = (await rotationOf(h.sql, old.id))!.id;

      // First failed proof: retried later, the old key still serves and no new key does.
      expect(await strict.get(KeyRotator).advance(id, 1)).toEqual({ steps: 0, completed: 0, failed: 1 });
      const failed = await rotationOf(h.sql, old.id);
      expect(failed).toMatchObject({ step: 'issuing', failures: 1, new_key_id: null });
      expect(failed?.last_error).toMatch(
        /^new key …\S{4} not accepted after \d+ call\(s\) in 1 s \(last: 401 UNAUTHENTICATED\)$/,
      );
      expect(await statusesOf(h.sql, projectId)).toEqual({ [old.id]: 'active' });
      expect(await h.generateStatus(oldSecret)).toBe(200);
      const pool = await strict.get(PoolService).poolFor(MODEL);
      expect(pool.find((p) => p.name === 'kf-auth-never')?.keys.map((key) => key.id)).toEqual([old.id]);

      // Second failed proof: the rotation stops, the unproven key is deleted upstream, and it is reported.
      await makeReady(h.sql, old.id);
      expect(await strict.get(KeyRotator).advance(id, 1)).toEqual({ steps: 0, completed: 0, failed: 1 });
      expect(await rotationOf(h.sql, old.id)).toMatchObject({ step: 'stopped', failures: 2 });
      expect(await counted(rotationMetrics.stopped)).toBe(stoppedBefore + 1);
      expect(await counted(rotationMetrics.proofFailures)).toBe(proofFailuresBefore + 2);
      const [stopped] = await auditOf(old.id, 'key_rotation.stopped');
      expect(stopped.details).toMatchObject({ rotationId: id, failures: 2, unprovenKeyDeleted: true });
      // One key was made upstream for both attempts (the retry adopted it), and it is deleted now.
      const upstream = await h.apiKeys();
      expect(upstream.counts.creates).toBe(createsBefore + 1);
      const unproven = upstream.keys.find((key) => key.name.endsWith(`/${failed!.upstream_key_id}`));
      expect(unproven?.deleteTime).toEqual(expect.any(String));

      // Stopped means stopped: nothing runs it or requests another replacement, the old key serves on.
      await makeReady(h.sql, old.id);
      expect(await strict.get(KeyRotator).advance(id, 10)).toEqual({ steps: 0, completed: 0, failed: 0 });
      expect(await strict.get(DueRotations).start()).toEqual({ scheduled: 0, emergency: 0 });
      expect((await h.apiKeys()).counts.creates).toBe(createsBefore + 1);
      expect(await statusesOf(h.sql, projectId)).toEqual({ [old.id]: 'active' });

      // An admin asks again once the cause is fixed: the rotation starts over with a fresh key id.
      await h.sim.setKeyPolicy({ keyPropagationMs: 0 });
      const again = await strict.get(KeyRotationService).rotate(old.id, {}, 'admin');
      expect(again.rotation).toMatchObject({ id, step: 'issuing', failures: 0, reason: 'admin' });
      expect(again.rotation?.upstreamKeyId).not.toBe(failed!.upstream_key_id);
      expect(await strict.get(KeyRotator).advance(id, 10)).toEqual({ steps: 3, completed: 1, failed: 0 });
      expect(await auditOf(old.id, 'key_rotation.restarted')).toHaveLength(1);
    } finally {
      await h.sim.setKeyPolicy({ keyPropagationMs: 0 });
      await h.closeRotator(strict);
    }
  });

  it('an issuer project without serviceAccountEmail cannot rotate: the step fails naming the field', async () => {
    const { keys } = await h.issuerProject('kf-auth-nosa', 1);
    const [old] = keys;
    // A project registered before the field was required.
    await h.sql.query(`UPDATE projects SET service_account_email = NULL WHERE name = 'kf-auth-nosa'`);
    const createsBefore = (await h.apiKeys()).counts.creates;
    await rotator.get(RotationRequests).request(old.id, 'admin', 'admin');

    expect(await rotator.get(KeyRotator).runReady()).toMatchObject({ failed: 1, completed: 0 });

    expect((await rotationOf(h.sql, old.id))?.last_error).toMatch(/has no serviceAccountEmail/);
    expect((await h.apiKeys()).counts.creates).toBe(createsBefore);
  });
});
