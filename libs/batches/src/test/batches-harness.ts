import { randomUUID } from 'node:crypto';
import { Test, type TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { ConfigModule } from '@keyfleet/config';
import { FairShare } from '@keyfleet/fair-share';
import { PersistenceModule } from '@keyfleet/persistence';
import { REDIS_CLIENT, RedisModule } from '@keyfleet/queue';
import { createTestDatabase, deleteRedisKeys, testConfig, type TestDatabase } from '@keyfleet/testing';
import { Backlog, type TakenItem, type WaitingItem } from '../backlog';
import { BatchItemsStore } from '../batch-items.store';
import { BatchesCoreModule } from '../batches-core.module';
import { BatchesService } from '../batches.service';
import type { ParsedBatch } from '../validation';

/** A real Postgres database and a real Redis prefix of its own, with the batches services on them. */
export interface BatchesHarness {
  db: TestDatabase;
  moduleRef: TestingModule;
  service: BatchesService;
  store: BatchItemsStore;
  backlog: Backlog;
  fairShare: FairShare;
  dataSource: DataSource;
  close(): Promise<void>;
}

export async function startBatchesHarness(): Promise<BatchesHarness> {
  const db = await createTestDatabase();
  const config = testConfig({ DATABASE_URL: db.url, KF_MAX_BATCH_ITEMS: '60000' });
  const moduleRef = await Test.createTestingModule({
    imports: [
      ConfigModule.forRoot(config),
      PersistenceModule.forRoot(config),
      RedisModule.forRoot(config),
      BatchesCoreModule,
    ],
  }).compile();
  await moduleRef.init();
  return {
    db,
    moduleRef,
    service: moduleRef.get(BatchesService),
    store: moduleRef.get(BatchItemsStore),
    backlog: moduleRef.get(Backlog),
    fairShare: moduleRef.get(FairShare),
    dataSource: moduleRef.get(DataSource),
    close: async () => {
      await deleteRedisKeys(moduleRef.get(REDIS_CLIENT), `${config.queuePrefix}:*`);
      await moduleRef.close();
      await db.drop();
    },
  };
}

/** The lease owner test takes run under (a worker id). */
export const TEST_OWNER = randomUUID();

/** Takes up to `limit` waiting items of the batch as a worker would, every one admitted. */
export function takeItems(
  h: BatchesHarness,
  batchId: string,
  limit: number,
  owner = TEST_OWNER,
): Promise<Array<TakenItem<null>>> {
  const everyOne = (waiting: WaitingItem[]) =>
    Promise.resolve(
      waiting.map((item) => ({
        id: item.id,
        projectId: randomUUID(),
        upstreamKeyId: randomUUID(),
        slot: null,
      })),
    );
  return h.backlog.take(batchId, limit, owner, everyOne);
}

export const TEST_MODEL = 'gemini-2.5-flash';

export function parsedBatch(count: number, displayName: string | null = null): ParsedBatch {
  return {
    model: TEST_MODEL,
    displayName,
    priority: 0,
    items: Array.from({ length: count }, (_, index) => ({
      key: `row-${index + 1}`,
      request: { contents: [{ role: 'user', parts: [{ text: `prompt ${index + 1}` }] }] },
      lineNo: index + 1,
    })),
  };
}

export const newClientId = (): string => randomUUID();

export async function itemIdsOf(dataSource: DataSource, batchId: string): Promise<string[]> {
  const rows: Array<{ id: string }> = await dataSource.query(
    'SELECT id FROM batch_items WHERE batch_id = $1 ORDER BY line_no',
    [batchId],
  );
  return rows.map((row) => row.id);
}

export async function collect(lines: AsyncIterable<string>): Promise<string[]> {
  const all: string[] = [];
  for await (const line of lines) all.push(line);
  return all;
}
