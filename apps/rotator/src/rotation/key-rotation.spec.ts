import type { INestApplicationContext } from '@nestjs/common';
import { PoolService, RotationRequests } from '@keyfleet/registry';
import { KeyIssuers, expectedRestrictions } from '@keyfleet/issuers';
import { simApiKeys } from '@keyfleet/testing';
import {
  bootRotatorHarness,
  EGRESS_IPS,
  makeDue,
  serviceAccountOf,
  makeReady,
  MODEL,
  rotationOf,
  statusesOf,
  type RotatorHarness,
} from '../test/rotator-harness';
import { RotationSweep } from '../sweep/rotation-sweep';
import { KeyRotator } from './key-rotator';

jest.setTimeout(60_000);

const SERVICE = 'generativelanguage.googleapis.com';

describe('key rotation through the google-api-keys issuer (simulator API Keys API, Postgres, Redis)', () => {
  let h: RotatorHarness;
  let rotator: INestApplicationContext;

  beforeAll(async () => {
    h = await bootRotatorHarness([
      'kf-rot-sweep',
      'kf-rot-grace',
      'kf-rot-crash',
      'kf-rot-race',
      'kf-rot-flaky',
    ]);
    rotator = await h.openRotator();
  });
  afterAll(() => h.close());

  const keyStringOf = async (upstreamName: string | null) =>
    (await h.apiKeys()).keys.find((key) => key.name === upstreamName)?.keyString ?? '';
  const newKeyRow = async (id: string) =>
    (
      await h.sql.query<Array<{ upstream_name: string; status: string }>>(
        'SELECT upstream_name, status FROM upstream_keys WHERE id = $1',
        [id],
      )
    )[0];

  it('rotates a due key in one sweep: new key active with the right restrictions, old one deleted and revoked', async () => {
    const { projectId, keys } = await h.issuerProject('kf-rot-sweep', 2);
    const [due, fresh] = keys;
    await makeDue(h.sql, due.id);
    const oldSecret = await keyStringOf(due.upstreamName);

    const result = await rotator.get(RotationSweep).sweep();

    expect(result.started).toEqual({ scheduled: 1, emergency: 0 });
    expect(result.run).toEqual({ steps: 3, completed: 1, failed: 0 });
    const rotation = await rotationOf(h.sql, due.id);
    expect(rotation).toMatchObject({ step: 'done', reason: 'scheduled', failures: 0 });
    const statuses = await statusesOf(h.sql, projectId);
    expect(statuses).toEqual({
      [due.id]: 'revoked',
      [fresh.id]: 'active',
      [rotation!.new_key_id!]: 'active',
    });
    // Upstream: the new key carries the Gemini API and the project's egress IPs; the old one is deleted.
    const newKey = await newKeyRow(rotation!.new_key_id!);
    const upstream = (await h.apiKeys()).keys.find((key) => key.name === newKey.upstream_name);
    expect(upstream?.restrictions).toEqual({
      apiTargets: [{ service: SERVICE }],
      serverKeyRestrictions: { allowedIps: EGRESS_IPS },
    });
    expect(upstream?.name).toBe(`projects/kf-rot-sweep/locations/global/keys/${rotation!.upstream_key_id}`);
    expect(await h.generateStatus(upstream!.keyString)).toBe(200);
    expect(await h.generateStatus(oldSecret)).toBe(400);
    // The pool serves the new key and never the old one.
    const pool = await rotator.get(PoolService).poolFor(MODEL);
    expect(pool[0].keys.map((key) => key.id).sort()).toEqual([fresh.id, rotation!.new_key_id].sort());
    // Every step audited, and no secret in the audit log.
    const audit = await h.sql.query<Array<{ action: string; details: unknown }>>(
      `SELECT action, details FROM audit_log WHERE target_id IN ($1, $2) ORDER BY id`,
      [due.id, rotation!.new_key_id],
    );
    expect(audit.map((entry) => entry.action)).toEqual([
      'upstream_key.added',
      'upstream_key.overdue',
      'key_rotation.requested',
      'upstream_key.added',
      'upstream_key.retiring',
      'key_rotation.issued',
      'key_rotation.drained',
      'upstream_key.revoked',
      'key_rotation.completed',
    ]);
    expect(JSON.stringify(audit)).not.toContain(upstream!.keyString);
    expect(JSON.stringify(audit)).not.toContain(oldSecret);
    // A second sweep has nothing to do.
    expect((await rotator.get(RotationSweep).sweep()).run.steps).toBe(0);
  });

  it('lets the old key drain for the grace period: retiring, out of the pool, still valid upstream', async () => {
    const { keys } = await h.issuerProject('kf-rot-grace', 1);
    const [old] = keys;
    const oldSecret = await keyStringOf(old.upstreamName);
    const patient = await h.openRotator({ KF_ROTATION_GRACE_SECONDS: '3600' });
    await makeDue(h.sql, old.id);

    await patient.get(RotationSweep).sweep();

    const rotation = await rotationOf(h.sql, old.id);
    expect(rotation?.step).toBe('draining');
    expect(rotation!.next_attempt_at.getTime() - Date.now()).toBeGreaterThan(3_590_000);
    expect((await newKeyRow(old.id)).status).toBe('retiring');
    expect(await h.generateStatus(oldSecret)).toBe(200); // in-flight requests still finish
    const pool = await patient.get(PoolService).poolFor(MODEL);
    const served = pool.find((project) => project.name === 'kf-rot-grace')?.keys.map((key) => key.id);
    expect(served).toEqual([rotation!.new_key_id]);

    await makeReady(h.sql, old.id); // the grace period is over
    await patient.get(RotationSweep).sweep();
    expect((await rotationOf(h.sql, old.id))?.step).toBe('done');
    expect(await h.generateStatus(oldSecret)).toBe(400);
  });

  it('resumes consistently when the rotator dies between any two steps', async () => {
    const { projectId, keys } = await h.issuerProject('kf-rot-crash', 1);
    const [old] = keys;
    const oldSecret = await keyStringOf(old.upstreamName);
    const creates = async () => (await h.apiKeys()).counts.creates;
    const projectKeysUpstream = async () =>
      (await h.apiKeys()).keys.filter(
        (key) => key.name.startsWith('projects/kf-rot-crash/') && !key.deleteTime,
      );
    const assertServing = async () => {
      const statuses = Object.values(await statusesOf(h.sql, projectId));
      expect(statuses.filter((status) => status === 'active').length).toBeGreaterThanOrEqual(1);
    };
    const step = async () => {
      const process = await h.openRotator(); // a fresh rotator each time: nothing survives in memory
      const rotation = await rotationOf(h.sql, old.id);
      const result = await process.get(KeyRotator).advance(rotation!.id, 1);
      await h.closeRotator(process); // …and it dies right after its step
      return result;
    };

    // Requested, then killed after creating the key upstream but before storing it.
    await rotator.get(RotationRequests).request(old.id, 'scheduled', 'rotator');
    const requested = await rotationOf(h.sql, old.id);
    const issuer = rotator.get(KeyIssuers).of('google-api-keys')!;
    const orphan = await issuer.issue({
      gcpProjectId: 'kf-rot-crash',
      keyId: requested!.upstream_key_id,
      displayName: 'made by a rotator that died',
      restrictions: expectedRestrictions(EGRESS_IPS),
      serviceAccountEmail: serviceAccountOf('kf-rot-crash'),
    });
    await assertServing();
    const createsBefore = await creates();

    // issuing → draining: the orphan is adopted, not duplicated.
    expect(await step()).toEqual({ steps: 1, completed: 0, failed: 0 });
    expect(await creates()).toBe(createsBefore);
    const afterIssue = await rotationOf(h.sql, old.id);
    expect(afterIssue?.step).toBe('draining');
    expect((await newKeyRow(afterIssue!.new_key_id!)).upstream_name).toBe(orphan.name);
    expect((await projectKeysUpstream()).length).toBe(2);
    await assertServing();

    // draining → deleting.
    await step();
    expect((await rotationOf(h.sql, old.id))?.step).toBe('deleting');
    await assertServing();

    // Killed after deleting the old key upstream but before revoking it: the retry finds it gone.
    await issuer.delete(old.upstreamName!);
    expect(await step()).toEqual({ steps: 1, completed: 1, failed: 0 });
    expect((await rotationOf(h.sql, old.id))?.step).toBe('done');
    expect(await statusesOf(h.sql, projectId)).toEqual({
      [old.id]: 'revoked',
      [afterIssue!.new_key_id!]: 'active',
    });
    expect((await projectKeysUpstream()).map((key) => key.name)).toEqual([orphan.name]);
    expect(await h.generateStatus(oldSecret)).toBe(400);
    expect(await h.generateStatus(orphan.keyString)).toBe(200);
    // Once done, nothing runs again.
    expect(await step()).toEqual({ steps: 0, completed: 0, failed: 0 });
  });

  it('two rotators sweeping at once rotate each due key exactly once', async () => {
    const { projectId, keys } = await h.issuerProject('kf-rot-race', 4);
    for (const key of keys) await makeDue(h.sql, key.id);
    const other = await h.openRotator();
    const createsBefore = (await h.apiKeys()).counts.creates;

    const results = await Promise.all([rotator.get(RotationSweep).sweep(), other.get(RotationSweep).sweep()]);

    const started = results.map((result) => result.started.scheduled);
    expect(started[0] + started[1]).toBe(4);
    expect(results[0].run.failed + results[1].run.failed).toBe(0);
    expect((await h.apiKeys()).counts.creates - createsBefore).toBe(4);
    const statuses = Object.values(await statusesOf(h.sql, projectId));
    expect(statuses.sort()).toEqual([...Array(4).fill('active'), ...Array(4).fill('revoked')]);
    const rotations = await h.sql.query<Array<{ step: string }>>(
      'SELECT step FROM key_rotations WHERE project_id = $1',
      [projectId],
    );
    expect(rotations.map((row) => row.step)).toEqual(Array(4).fill('done'));
  });

  it('retries a failed issue with a doubling backoff, reports it, and never leaves a half-made key', async () => {
    const { projectId, keys } = await h.issuerProject('kf-rot-flaky', 1);
    const [old] = keys;
    await simApiKeys(h.sim.url).setFaults({ failCreates: 2 });
    await makeDue(h.sql, old.id);

    const first = await rotator.get(RotationSweep).sweep();
    expect(first.run).toEqual({ steps: 0, completed: 0, failed: 1 });
    const afterOne = await rotationOf(h.sql, old.id);
    expect(afterOne).toMatchObject({ step: 'issuing', failures: 1, new_key_id: null });
    expect(afterOne?.last_error).toContain('unavailable');
    const firstDelay = afterOne!.next_attempt_at.getTime() - Date.now();
    expect(firstDelay).toBeGreaterThan(0);
    expect(firstDelay).toBeLessThanOrEqual(1000);
    // Still served by the old key, and no new key row exists.
    expect(await statusesOf(h.sql, projectId)).toEqual({ [old.id]: 'active' });

    await makeReady(h.sql, old.id);
    await rotator.get(RotationSweep).sweep();
    const afterTwo = await rotationOf(h.sql, old.id);
    expect(afterTwo?.failures).toBe(2);
    expect(afterTwo!.next_attempt_at.getTime() - Date.now()).toBeGreaterThan(1000);

    await makeReady(h.sql, old.id);
    expect((await rotator.get(RotationSweep).sweep()).run.completed).toBe(1);
    const failures = await h.sql.query<Array<{ details: { failures: number } }>>(
      `SELECT details FROM audit_log WHERE action = 'key_rotation.failed' AND target_id = $1 ORDER BY id`,
      [old.id],
    );
    expect(failures.map((entry) => entry.details.failures)).toEqual([1, 2]);
    expect(Object.values(await statusesOf(h.sql, projectId)).sort()).toEqual(['active', 'revoked']);
  });
});
