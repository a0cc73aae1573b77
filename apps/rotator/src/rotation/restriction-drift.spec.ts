import type { INestApplicationContext } from '@nestjs/common';
import { expectedRestrictions, KeyIssuers, type KeyIssuer } from '@keyfleet/issuers';
import { ProjectsService } from '@keyfleet/registry';
import { bootRotatorHarness, EGRESS_IPS, rotationOf, type RotatorHarness } from '../test/rotator-harness';
import { RestrictionDrift } from './restriction-drift';

jest.setTimeout(60_000);

describe('restriction drift: the rotator re-applies what keyfleet expects upstream', () => {
  let h: RotatorHarness;
  let rotator: INestApplicationContext;
  let issuer: KeyIssuer;

  beforeAll(async () => {
    h = await bootRotatorHarness(['kf-drift-edit', 'kf-drift-gone']);
    rotator = await h.openRotator();
    issuer = rotator.get(KeyIssuers).of('google-api-keys')!;
  });
  afterAll(() => h.close());

  const upstreamOf = async (name: string | null) =>
    (await h.apiKeys()).keys.find((key) => key.name === name)!;

  it('re-applies restrictions someone changed upstream, and follows a change of the project egress IPs', async () => {
    const { projectId, keys } = await h.issuerProject('kf-drift-edit', 1);
    const [key] = keys;
    await issuer.applyRestrictions(key.upstreamName!, expectedRestrictions(['198.51.100.9']));
    const secret = (await upstreamOf(key.upstreamName)).keyString;
    expect(await h.generateStatus(secret)).toBe(403);

    expect(await rotator.get(RestrictionDrift).check()).toMatchObject({ reapplied: 1, errors: 0 });
    expect((await upstreamOf(key.upstreamName)).restrictions.serverKeyRestrictions?.allowedIps).toEqual(
      EGRESS_IPS,
    );
    expect(await h.generateStatus(secret)).toBe(200);
    expect(await rotator.get(RestrictionDrift).check()).toMatchObject({ reapplied: 0 });

    await rotator.get(ProjectsService).update(projectId, { egressIps: ['127.0.0.1'] }, 'admin');
    expect(await rotator.get(RestrictionDrift).check()).toMatchObject({ reapplied: 1 });
    expect((await upstreamOf(key.upstreamName)).restrictions.serverKeyRestrictions?.allowedIps).toEqual([
      '127.0.0.1',
    ]);
    const audit = await h.sql.query<Array<{ details: { found: { allowedIps: string[] } } }>>(
      `SELECT details FROM audit_log WHERE action = 'upstream_key.restrictions_reapplied' AND target_id = $1 ORDER BY id`,
      [key.id],
    );
    expect(audit.map((entry) => entry.details.found.allowedIps)).toEqual([['198.51.100.9'], EGRESS_IPS]);
  });

  it('takes a key deleted upstream behind its back out of service and asks for a replacement', async () => {
    const { keys } = await h.issuerProject('kf-drift-gone', 1);
    await issuer.delete(keys[0].upstreamName!);
    expect(await rotator.get(RestrictionDrift).check()).toMatchObject({ goneUpstream: 1 });
    expect(await rotationOf(h.sql, keys[0].id)).toMatchObject({ reason: 'emergency', step: 'issuing' });
  });
});
