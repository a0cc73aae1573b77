import { randomUUID } from 'node:crypto';
import { Test, type TestingModule } from '@nestjs/testing';
import type { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { BatchesCoreModule, BatchesService } from '@keyfleet/batches';
import { ConfigModule } from '@keyfleet/config';
import { FairShare } from '@keyfleet/fair-share';
import { PersistenceModule } from '@keyfleet/persistence';
import { REDIS_CLIENT, RedisModule } from '@keyfleet/queue';
import { createTestDatabase, testConfig, type TestDatabase } from '@keyfleet/testing';
import { DEFAULT_DISPATCH_TIMING, DISPATCH_TIMING } from '../dispatch/dispatch-timing';
import { Reconciler } from '../maintenance/reconciler';
import { startPrivateRedis, type PrivateRedis } from '@keyfleet/testing';

const MODEL = 'gemini-2.5-flash';

/** Commands Redis has executed since its stats were reset (INFO commandstats). */
async function commandsRun(redis: Redis): Promise<number> {
  const info = await redis.info('commandstats');
  let total = 0;
  for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm))
    if (match[1] !== 'info' && match[1] !== 'config|resetstat') total += Number(match[2]);
  return total;
}

describe('Reconciler (real Postgres, a Redis of its own)', () => {
  let db: TestDatabase;
  let redisServer: PrivateRedis;
  let moduleRef: TestingModule;
  let reconciler: Reconciler;
  let service: BatchesService;
  let fairShare: FairShare;
  let dataSource: DataSource;
  let redis: Redis;
  let config: ReturnType<typeof testConfig>;

  beforeAll(async () => {
    db = await createTestDatabase();
    redisServer = await startPrivateRedis();
    config = testConfig({ DATABASE_URL: db.url, REDIS_URL: redisServer.url });
    moduleRef = await Test.createTestingModule({
      imports: [
        ConfigModule.forRoot(config),
        PersistenceModule.forRoot(config),
        RedisModule.forRoot(config),
        BatchesCoreModule,
      ],
      providers: [
        { provide: DISPATCH_TIMING, useValue: { ...DEFAULT_DISPATCH_TIMING, reconcileEveryMs: 3_600_000 } },
        Reconciler,
      ],
    }).compile();
    // init() without the bootstrap pass racing the test: the test calls reconcile() itself.
    reconciler = moduleRef.get(Reconciler);
    jest.spyOn(reconciler, 'onApplicationBootstrap').mockImplementation(() => undefined);
    await moduleRef.init();
    service = moduleRef.get(BatchesService);
    fairShare = moduleRef.get(FairShare);
    dataSource = moduleRef.get(DataSource);
    redis = moduleRef.get<Redis>(REDIS_CLIENT);
  });

  afterAll(async () => {
    await moduleRef.close();
    await redisServer.stop();
    await db.drop();
  });

  const batchOf = (count: number, priority = 0) => ({
    model: MODEL,
    displayName: null,
    priority,
    items: Array.from({ length: count }, (_, i) => ({
      key: `r${i}`,
      request: { contents: [{ parts: [{ text: `${i}` }] }] },
      lineNo: i + 1,
    })),
  });

  it('gives every batch with waiting items its turns again after Redis lost them, with its client’s weight', async () => {
    const clientId = randomUUID();
    await dataSource.query(`INSERT INTO clients (id, name, allowed_ips, weight) VALUES ($1, 'c', '{}', 3)`, [
      clientId,
    ]);
    const open = await service.create(clientId, batchOf(5, 2));
    const done = await service.create(clientId, batchOf(1));
    await service.cancel(clientId, done.batch.id); // nothing waits in it
    expect(await redis.flushall()).toBe('OK');
    expect(await fairShare.state(MODEL)).toEqual([]);

    expect(await reconciler.reconcile()).toEqual({ batches: 1 });
    expect(await fairShare.state(MODEL)).toEqual([{ clientId, batchIds: [open.batch.id] }]);
    expect(await redis.hget(`${config.queuePrefix}:fair:{${MODEL}}:w`, clientId)).toBe('3');
    await service.cancel(clientId, open.batch.id);
  });

  it('costs the same per pass whatever the number of waiting items: one query, one script per batch', async () => {
    const measure = async (items: number) => {
      const batches = [
        await service.create(randomUUID(), batchOf(10)),
        await service.create(randomUUID(), batchOf(items)),
      ];
      await reconciler.reconcile(); // scripts loaded, first announcements done
      await redis.config('RESETSTAT');
      const queries = jest.spyOn(dataSource, 'query');
      try {
        await reconciler.reconcile();
        return { redis: await commandsRun(redis), postgres: queries.mock.calls.length };
      } finally {
        queries.mockRestore();
        for (const { batch } of batches)
          await dataSource.query('DELETE FROM batches WHERE id = $1', [batch.id]);
      }
    };
    const small = await measure(10);
    const big = await measure(20_000);
    expect(big).toEqual(small);
    expect(big.postgres).toBe(1);
    // Two announcements (a script each, and the few commands inside it), and the wake-up.
    expect(big.redis).toBeGreaterThan(2);
    expect(big.redis).toBeLessThanOrEqual(2 * 10 + 1);
  }, 60_000);

  it('runs one pass at a time: in this process, and across processes (a Redis lock)', async () => {
    const [first, second] = await Promise.all([reconciler.runOnce(), reconciler.runOnce()]);
    expect(first).toEqual({ batches: 0 });
    expect(second).toBe(first); // the same pass, not a second one
    const lockKey = `${config.queuePrefix}:reconciler:lock`;
    await redis.set(lockKey, 'another-process', 'PX', 10_000);
    expect(await reconciler.runOnce()).toBeNull();
    expect(await redis.get(lockKey)).toBe('another-process'); // not released by us
    await redis.del(lockKey);
    expect(await reconciler.runOnce()).toEqual({ batches: 0 });
  });
});
