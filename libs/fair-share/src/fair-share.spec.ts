import type { Redis } from 'ioredis';
import { createRedis } from '@keyfleet/queue';
import { deleteRedisKeys, testConfig } from '@keyfleet/testing';
import { FairShare, type PlannedTurns } from './fair-share';

const MODEL = 'gemini-2.5-flash';

/** Turns per client (and per batch) over `rounds` plans of `size` turns each. */
async function count(fair: FairShare, rounds: number, size: number) {
  const byClient = new Map<string, number>();
  const byBatch = new Map<string, number>();
  for (let i = 0; i < rounds; i++) {
    for (const turns of await fair.plan(MODEL, size)) {
      byClient.set(turns.clientId, (byClient.get(turns.clientId) ?? 0) + turns.turns);
      byBatch.set(turns.batchId, (byBatch.get(turns.batchId) ?? 0) + turns.turns);
    }
  }
  return { byClient, byBatch };
}

describe('FairShare (real Redis)', () => {
  const config = testConfig();
  let redis: Redis;
  let fair: FairShare;
  let prefix: string;

  beforeEach(() => {
    redis = createRedis(config.redisUrl);
    prefix = `${config.queuePrefix}-${Date.now()}`;
    fair = new FairShare(redis, testConfig({ KF_QUEUE_PREFIX: prefix }));
  });
  afterEach(async () => {
    await deleteRedisKeys(redis, `${config.queuePrefix}*`);
    await redis.quit();
  });

  it('shares turns between two clients in proportion to their weights (1 and 3), interleaved', async () => {
    await fair.activate(MODEL, { batchId: 'a1', clientId: 'A', priority: 0, weight: 1 });
    await fair.activate(MODEL, { batchId: 'b1', clientId: 'B', priority: 0, weight: 3 });
    const first = await fair.plan(MODEL, 8);
    // Interleaved within one plan, not one client after the other.
    expect(first.map((t) => [t.clientId, t.turns])).toEqual([
      ['A', 2],
      ['B', 6],
    ]);
    const { byClient } = await count(fair, 10, 40);
    expect(byClient.get('A')).toBe(100);
    expect(byClient.get('B')).toBe(300);
  });

  it('five clients (weights 1, 1, 1, 3, 3) each get weight/9 of the turns', async () => {
    const weights = { c1: 1, c2: 1, c3: 1, c4: 3, c5: 3 };
    for (const [clientId, weight] of Object.entries(weights))
      await fair.activate(MODEL, { batchId: `${clientId}-b`, clientId, priority: 0, weight });
    const { byClient } = await count(fair, 9, 100);
    for (const [clientId, weight] of Object.entries(weights))
      expect(Math.abs((byClient.get(clientId) ?? 0) - weight * 100)).toBeLessThanOrEqual(1);
  });

  it("within a client, higher priority goes first and equal batches share the client's turns", async () => {
    await fair.activate(MODEL, { batchId: 'low', clientId: 'A', priority: -5 });
    await fair.activate(MODEL, { batchId: 'x', clientId: 'A', priority: 0 });
    await fair.activate(MODEL, { batchId: 'y', clientId: 'A', priority: 0 });
    await fair.activate(MODEL, { batchId: 'urgent', clientId: 'A', priority: 7 });
    expect(await fair.plan(MODEL, 5)).toEqual([expect.objectContaining({ batchId: 'urgent', turns: 5 })]);
    const urgent = (await fair.plan(MODEL, 1))[0];
    expect(await fair.deactivate(MODEL, urgent, true)).toBe(true);
    const { byBatch } = await count(fair, 5, 20);
    expect(byBatch.get('x')).toBe(50);
    expect(byBatch.get('y')).toBe(50);
    expect(byBatch.has('low')).toBe(false);
  });

  it('a client that arrives late gets its share from now on, not a catch-up burst', async () => {
    await fair.activate(MODEL, { batchId: 'a1', clientId: 'A', priority: 0 });
    await count(fair, 10, 100); // A alone for 1,000 turns
    await fair.activate(MODEL, { batchId: 'b1', clientId: 'B', priority: 0 });
    const { byClient } = await count(fair, 1, 100);
    expect(byClient.get('A')).toBe(50);
    expect(byClient.get('B')).toBe(50);
  });

  it('turns given back restore the order; a client with no batches left drops out', async () => {
    await fair.activate(MODEL, { batchId: 'a1', clientId: 'A', priority: 0 });
    await fair.activate(MODEL, { batchId: 'b1', clientId: 'B', priority: 0 });
    const planned = await fair.plan(MODEL, 10);
    await fair.refund(MODEL, planned);
    expect(await fair.plan(MODEL, 10)).toEqual(planned);
    const a = planned.find((t) => t.clientId === 'A') as PlannedTurns;
    expect(await fair.deactivate(MODEL, a, false)).toBe(true);
    expect(await fair.state(MODEL)).toEqual([{ clientId: 'B', batchIds: ['b1'] }]);
    expect((await fair.plan(MODEL, 4)).map((t) => [t.clientId, t.turns])).toEqual([['B', 4]]);
  });

  it('does not drop a batch that was activated again after its turns were planned', async () => {
    expect(await fair.activate(MODEL, { batchId: 'a1', clientId: 'A', priority: 0 })).toBe(true);
    const [turns] = await fair.plan(MODEL, 1);
    // An item went back to waiting (another process) between the plan and the "nothing left" check.
    expect(await fair.activate(MODEL, { batchId: 'a1', clientId: 'A', priority: 0 })).toBe(false);
    expect(await fair.deactivate(MODEL, turns, false)).toBe(false);
    expect(await fair.state(MODEL)).toEqual([{ clientId: 'A', batchIds: ['a1'] }]);
  });

  it('forgets a finished batch: its keys go, nothing is left to plan', async () => {
    expect(await fair.hasWork(MODEL)).toBe(false);
    await fair.activate(MODEL, { batchId: 'a1', clientId: 'A', priority: 0 });
    expect(await fair.hasWork(MODEL)).toBe(true);
    const [turns] = await fair.plan(MODEL, 3);
    expect(await fair.deactivate(MODEL, turns, true)).toBe(true);
    expect(await fair.hasWork(MODEL)).toBe(false);
    expect(await fair.plan(MODEL, 3)).toEqual([]);
    for (const hash of ['bc', 'bg', 'bs'])
      expect(await redis.hexists(`${prefix}:fair:{${MODEL}}:${hash}`, 'a1')).toBe(0);
    expect(await redis.exists(`${prefix}:fair:{${MODEL}}:flows`)).toBe(0);
  });
});
