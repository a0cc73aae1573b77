import { getRepositoryToken } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { isDatabaseUnavailable } from '@keyfleet/errors';
import { ProjectEntity } from '@keyfleet/persistence';
import { ManualClock, TcpProxy } from '@keyfleet/testing';
import {
  POOL_CACHE_MS,
  POOL_STALE_MAX_MS,
  PoolService,
  ProjectsService,
  TIER_PRESETS,
  UpstreamKeysService,
} from '..';
import { bootRegistry, type RegistryHarness } from './registry-harness';

describe('PoolService (Postgres)', () => {
  let h: RegistryHarness;
  let pool: PoolService;
  let keys: UpstreamKeysService;
  let projects: ProjectsService;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    h = await bootRegistry();
    pool = h.app.get(PoolService);
    keys = h.app.get(UpstreamKeysService);
    projects = h.app.get(ProjectsService);
    // a: free tier + explicit flash override; b: only an explicit custom model; c: tier1 but no key.
    ids.a = (
      await projects.create(
        { name: 'a', tier: 'free', limits: { 'gemini-2.5-flash': { rpm: 3, tpm: 900, rpd: 50, tpd: null } } },
        'admin',
      )
    ).id;
    ids.b = (
      await projects.create(
        { name: 'b', limits: { 'custom-model': { rpm: 1, tpm: 2, rpd: null, tpd: 7 } } },
        'admin',
      )
    ).id;
    ids.c = (await projects.create({ name: 'c', tier: 'tier1' }, 'admin')).id;
    ids.a1 = (await keys.add(ids.a, 'AIzaSyPoolKeyA1secretAAAA', 'admin')).id;
    ids.a2 = (await keys.add(ids.a, 'AIzaSyPoolKeyA2secretBBBB', 'admin')).id;
    ids.b1 = (await keys.add(ids.b, 'AIzaSyPoolKeyB1secretCCCC', 'admin')).id;
  });
  afterAll(() => h.close());

  it('gives the projects that serve a model and have an active key, with decrypted secrets', async () => {
    const flash = await pool.poolFor('gemini-2.5-flash');
    expect(flash.map((p) => p.name)).toEqual(['a']);
    expect(flash[0].limits).toEqual({ rpm: 3, tpm: 900, rpd: 50, tpd: null });
    expect(flash[0].keys.map((k) => k.secret).sort()).toEqual([
      'AIzaSyPoolKeyA1secretAAAA',
      'AIzaSyPoolKeyA2secretBBBB',
    ]);
    expect(flash[0].keys[0]).toMatchObject({
      projectId: ids.a,
      fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect((await pool.poolFor('gemini-2.5-pro'))[0].limits).toEqual(TIER_PRESETS.free['gemini-2.5-pro']);
    expect((await pool.poolFor('custom-model')).map((p) => p.name)).toEqual(['b']);
    expect(await pool.poolFor('unknown-model')).toEqual([]);
  });

  it('lists served models (a project without keys serves none)', async () => {
    expect(await pool.servedModels()).toEqual([
      'custom-model',
      'gemini-2.0-flash',
      'gemini-2.5-flash',
      'gemini-2.5-flash-lite',
      'gemini-2.5-pro',
    ]);
  });

  it('drops a key taken out of service at once in this process', async () => {
    await pool.poolFor('gemini-2.5-flash'); // warm the cache
    await keys.takeOutOfService(ids.a1, 'API_KEY_INVALID', 'worker');
    const flash = await pool.poolFor('gemini-2.5-flash');
    expect(flash[0].keys.map((k) => k.id)).toEqual([ids.a2]);
    await keys.revoke(ids.b1, 'admin');
    expect(await pool.poolFor('custom-model')).toEqual([]);
  });

  it('sees a change made by another process once its cache has expired', async () => {
    const clock = new ManualClock();
    const peer = await h.openPeer({ clock });
    const peerPool = peer.get(PoolService);
    expect((await peerPool.poolFor('gemini-2.5-flash'))[0].keys).toHaveLength(1);
    await keys.takeOutOfService(ids.a2, 'API_KEY_IP_ADDRESS_BLOCKED', 'worker');
    clock.advance(POOL_CACHE_MS / 2);
    expect((await peerPool.poolFor('gemini-2.5-flash'))[0].keys).toHaveLength(1); // still cached
    clock.advance(POOL_CACHE_MS / 2 + 100);
    await peerPool.settled();
    expect(await peerPool.poolFor('gemini-2.5-flash')).toEqual([]);
    expect(await peerPool.servedModels()).toEqual([]);
  });

  it('follows limit and tier changes', async () => {
    await keys.add(ids.c, 'AIzaSyPoolKeyC1secretDDDD', 'admin');
    expect((await pool.poolFor('gemini-2.5-flash-lite')).map((p) => p.name)).toEqual(['c']);
    await projects.setLimit(
      ids.c,
      'gemini-2.5-flash-lite',
      { rpm: 9, tpm: 99, rpd: null, tpd: null },
      'admin',
    );
    expect((await pool.poolFor('gemini-2.5-flash-lite'))[0].limits.rpm).toBe(9);
    await projects.update(ids.c, { tier: null }, 'admin');
    expect(await pool.servedModels()).toEqual(['gemini-2.5-flash-lite']);
  });

  it('keeps a pool in use fresh in the background: after a quiet spell a call waits on no query', async () => {
    const clock = new ManualClock();
    const peer = await h.openPeer({ clock });
    const peerPool = peer.get(PoolService);
    const reads = jest.spyOn(peer.get<Repository<ProjectEntity>>(getRepositoryToken(ProjectEntity)), 'find');
    await peerPool.poolFor('gemini-2.5-flash');
    const limits = { 'warm-model': { rpm: 5, tpm: 500, rpd: null, tpd: null } };
    ids.d = (await projects.create({ name: 'd', limits }, 'admin')).id;
    await keys.add(ids.d, 'AIzaSyPoolKeyD1secretEEEE', 'admin');
    clock.advance(POOL_CACHE_MS + 300); // longer than the cache lives: only a background read keeps it
    await peerPool.settled();
    expect(reads).toHaveBeenCalled();
    const readsBefore = reads.mock.calls.length;
    const served = await peerPool.poolFor('warm-model');
    expect(reads.mock.calls.length).toBe(readsBefore); // answered from memory
    expect(served.map((p) => p.name)).toEqual(['d']); // and it holds the other process' change
  });

  describe('while Postgres is unreachable (a TcpProxy cut between the peer and Postgres)', () => {
    let proxy: TcpProxy;
    let clock: ManualClock;
    let peerPool: PoolService;

    beforeAll(async () => {
      const through = await TcpProxy.forUrl(h.db.url);
      proxy = through.proxy;
      clock = new ManualClock();
      peerPool = (await h.openPeer({ clock, databaseUrl: through.url })).get(PoolService);
    });
    afterAll(() => proxy.close());

    it('serves the last good read, minus keys withheld meanwhile, and reads again once it is back', async () => {
      const before = await peerPool.poolFor('warm-model');
      expect(before.map((p) => p.name)).toEqual(['d']);
      proxy.cut();
      clock.advance(POOL_CACHE_MS + 100); // the background read fails meanwhile
      await peerPool.settled();
      expect(await peerPool.poolFor('warm-model')).toEqual(before);
      expect(await peerPool.servedModels()).toContain('warm-model');
      const [key] = before[0].keys;
      peerPool.withhold(key.id);
      expect(await peerPool.poolFor('warm-model')).toEqual([]);
      expect(await peerPool.servedModels()).not.toContain('warm-model');

      proxy.restore();
      peerPool.release(key.id);
      clock.advance(POOL_CACHE_MS);
      expect((await peerPool.poolFor('warm-model')).map((p) => p.name)).toEqual(['d']);
    });

    it('stops serving a read older than POOL_STALE_MAX_MS: the caller gets the outage', async () => {
      await peerPool.poolFor('warm-model');
      proxy.cut();
      clock.advance(POOL_STALE_MAX_MS + 1);
      await peerPool.settled();
      const failure = await peerPool.poolFor('warm-model').then(
        () => null,
        (error: unknown) => error,
      );
      expect(isDatabaseUnavailable(failure)).toBe(true);
      proxy.restore();
      clock.advance(POOL_CACHE_MS);
      expect((await peerPool.poolFor('warm-model')).map((p) => p.name)).toEqual(['d']);
    });
  });
});
