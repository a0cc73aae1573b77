import { randomUUID } from 'node:crypto';
import { Test, type TestingModule } from '@nestjs/testing';
import { Worker } from 'bullmq';
import { DataSource } from 'typeorm';
import { BatchesCoreModule, BatchesService, BatchItemsStore } from '@keyfleet/batches';
import { ConfigModule } from '@keyfleet/config';
import { PersistenceModule } from '@keyfleet/persistence';
import type { Redis } from 'ioredis';
import { DispatchQueues, QueueModule, REDIS_CLIENT, RedisModule } from '@keyfleet/queue';
import { createTestDatabase, testConfig, type TestDatabase } from '@keyfleet/testing';
import { DEFAULT_DISPATCH_TIMING, DISPATCH_TIMING } from '../dispatch/dispatch-timing';
import { Reconciler } from '../recovery/reconciler';

const MODEL = 'gemini-2.5-flash';

describe('Reconciler (real Postgres and Redis)', () => {
  let db: TestDatabase;
  let moduleRef: TestingModule;
  let reconciler: Reconciler;
  let queues: DispatchQueues;
  let service: BatchesService;
  let store: BatchItemsStore;
  let dataSource: DataSource;
  const config = testConfig();

  beforeAll(async () => {
    db = await createTestDatabase();
    config.databaseUrl = db.url;
    moduleRef = await Test.createTestingModule({
      imports: [
        ConfigModule.forRoot(config),
        PersistenceModule.forRoot(config),
        RedisModule.forRoot(config),
        QueueModule.forRoot(config),
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
    queues = moduleRef.get(DispatchQueues);
    service = moduleRef.get(BatchesService);
    store = moduleRef.get(BatchItemsStore);
    dataSource = moduleRef.get(DataSource);
  });

  afterAll(async () => {
    await queues.forModel(MODEL).obliterate({ force: true });
    await moduleRef.close();
    await db.drop();
  });

  const batchOf = (count: number) => ({
    model: MODEL,
    displayName: null,
    priority: 0,
    items: Array.from({ length: count }, (_, i) => ({
      key: `r${i}`,
      request: { contents: [{ parts: [{ text: `${i}` }] }] },
      lineNo: i + 1,
    })),
  });

  it('re-enqueues open items no queue holds (Redis lost), never final ones', async () => {
    const clientId = randomUUID();
    const { batch } = await service.create(clientId, batchOf(1203));
    const rows: Array<{ id: string }> = await dataSource.query(
      'SELECT id FROM batch_items WHERE batch_id = $1 ORDER BY line_no',
      [batch.id],
    );
    const ids = rows.map((row) => row.id);
    const item = (id: string) => ({ id, batchId: batch.id });
    await store.claim(item(ids[0])); // running
    await store.claim(item(ids[1]));
    await store.succeed(
      item(ids[1]),
      { ok: true },
      { projectId: null, upstreamKeyId: null, promptTokens: 1 },
    ); // final
    await queues.forModel(MODEL).obliterate({ force: true }); // every job gone

    expect(await reconciler.reconcile()).toEqual({ enqueued: 1202, retried: 0 });
    const queue = queues.forModel(MODEL);
    expect(await queue.getJobCountByTypes('wait')).toBe(1202);
    expect(await queue.getJob(ids[1])).toBeUndefined();
    expect((await queue.getJob(ids[0]))?.data).toEqual({ itemId: ids[0], batchId: batch.id, model: MODEL });
    expect(await reconciler.reconcile()).toEqual({ enqueued: 0, retried: 0 }); // nothing left to repair
    // Close this batch for the next tests.
    await service.cancel(clientId, batch.id);
    await store.succeed(
      item(ids[0]),
      { ok: true },
      { projectId: null, upstreamKeyId: null, promptTokens: 1 },
    );
  });

  it('retries items whose job failed in BullMQ', async () => {
    const queue = queues.forModel(MODEL);
    await queue.obliterate({ force: true });
    const { batch } = await service.create(randomUUID(), batchOf(3));
    const failing = new Worker(queue.name, () => Promise.reject(new Error('postgres was down')), {
      ...queues.queueOptions,
      concurrency: 3,
    });
    failing.on('error', () => undefined);
    while ((await queue.getJobCountByTypes('failed')) < 3)
      await new Promise((resolve) => setTimeout(resolve, 50));
    await failing.close();

    expect(await reconciler.reconcile()).toEqual({ enqueued: 0, retried: 3 });
    expect(await queue.getJobCountByTypes('failed')).toBe(0);
    expect(await queue.getJobCountByTypes('wait')).toBe(3);
    const [{ n }] = await dataSource.query(
      `SELECT count(*)::int AS n FROM batch_items WHERE batch_id = $1 AND status = 'pending'`,
      [batch.id],
    );
    expect(n).toBe(3);
  });

  it('runs one pass at a time: in this process, and across processes (a Redis lock)', async () => {
    const [first, second] = await Promise.all([reconciler.runOnce(), reconciler.runOnce()]);
    expect(first).toEqual({ enqueued: 0, retried: 0 });
    expect(second).toBe(first); // the same pass, not a second one
    const redis = moduleRef.get<Redis>(REDIS_CLIENT);
    const lockKey = `${config.queuePrefix}:reconciler:lock`;
    await redis.set(lockKey, 'another-process', 'PX', 10_000);
    expect(await reconciler.runOnce()).toBeNull();
    expect(await redis.get(lockKey)).toBe('another-process'); // not released by us
    await redis.del(lockKey);
    expect(await reconciler.runOnce()).toEqual({ enqueued: 0, retried: 0 });
  });
});
