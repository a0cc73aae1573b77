import { randomUUID } from 'node:crypto';
import { Test, type TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { ConfigModule } from '@keyfleet/config';
import { PersistenceModule } from '@keyfleet/persistence';
import { DispatchQueues, QueueModule } from '@keyfleet/queue';
import { createTestDatabase, testConfig, type TestDatabase } from '@keyfleet/testing';
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
  queues: DispatchQueues;
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
      QueueModule.forRoot(config),
      BatchesCoreModule,
    ],
  }).compile();
  await moduleRef.init();
  const queues = moduleRef.get(DispatchQueues);
  return {
    db,
    moduleRef,
    service: moduleRef.get(BatchesService),
    store: moduleRef.get(BatchItemsStore),
    queues,
    dataSource: moduleRef.get(DataSource),
    close: async () => {
      await queues.forModel(TEST_MODEL).obliterate({ force: true });
      await moduleRef.close();
      await db.drop();
    },
  };
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
