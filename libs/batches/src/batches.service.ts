import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { KeyfleetError } from '@keyfleet/errors';
import { DispatchQueues, type BatchItemJob } from '@keyfleet/queue';
import {
  BATCH_BY_IDEMPOTENCY_KEY_SQL,
  BATCH_OF_CLIENT_SQL,
  CANCEL_SQL,
  INSERT_BATCH_SQL,
  ITEM_IDS_PAGE_SQL,
  LIST_FIRST_PAGE_SQL,
  LIST_NEXT_PAGE_SQL,
  SET_BATCH_TOTAL_SQL,
} from './batch-sql';
import { ItemChunkWriter } from './item-chunk-writer';
import { toBatchView, type BatchRow, type BatchView } from './batch-view';
import { decodePageToken, encodePageToken, isUuid } from './page-token';
import { resultLines } from './result-lines';
import type { ParsedBatch } from './validation';

// Item ids read back and enqueued per step after a submission.
const ENQUEUE_PAGE_SIZE = 1000;
export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;
export const MAX_IDEMPOTENCY_KEY_LENGTH = 200;
export const MAX_JOBS_REMOVED_ON_CANCEL = 1000;
const IDEMPOTENCY_CONSTRAINT = 'UQ_batches_client_idempotency_key';

export interface CreatedBatch {
  batch: BatchView;
  /** False when the Idempotency-Key named an earlier batch, which is returned instead. */
  created: boolean;
}

export interface BatchPage {
  batches: BatchView[];
  nextPageToken: string | null;
}

/** Batches of clients: submission, reading, cancelling, results. A client only ever sees its own. */
@Injectable()
export class BatchesService {
  private readonly logger = new Logger(BatchesService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly queues: DispatchQueues,
  ) {}

  /**
   * Stores the batch and its items in one transaction, reading them as they come (an NDJSON upload is a
   * stream) and writing them in chunks, then hands the stored batch to dispatch (afterInsert). A bad item
   * anywhere rolls everything back: nothing is half-written. If the hand-over fails, the items stay
   * pending in Postgres and the workers' reconciler takes them.
   */
  async create(clientId: string, parsed: ParsedBatch, idempotencyKey?: string): Promise<CreatedBatch> {
    if (idempotencyKey !== undefined) {
      if (idempotencyKey.length === 0 || idempotencyKey.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
        throw KeyfleetError.invalid(`Idempotency-Key: must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`);
      }
      const earlier = await this.byIdempotencyKey(clientId, idempotencyKey);
      if (earlier) return { batch: toBatchView(earlier), created: false };
    }
    let row: BatchRow;
    try {
      row = await this.dataSource.transaction((manager) =>
        this.insert(manager, clientId, parsed, idempotencyKey),
      );
    } catch (error) {
      // Two submissions with one key raced: the loser returns the winner's batch.
      if (
        idempotencyKey !== undefined &&
        (error as { constraint?: string }).constraint === IDEMPOTENCY_CONSTRAINT
      ) {
        const winner = await this.byIdempotencyKey(clientId, idempotencyKey);
        if (winner) return { batch: toBatchView(winner), created: false };
      }
      throw error;
    }
    await this.afterInsert(row);
    return { batch: toBatchView(row), created: true };
  }

  async get(clientId: string, batchId: string): Promise<BatchView> {
    return toBatchView(await this.rowOf(clientId, batchId));
  }

  /** Newest first; `pageToken` is the `nextPageToken` of the page before. */
  async list(clientId: string, options: { pageSize?: number; pageToken?: string } = {}): Promise<BatchPage> {
    const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
      throw KeyfleetError.invalid(`pageSize: must be an integer from 1 to ${MAX_PAGE_SIZE}`);
    }
    const after = options.pageToken ? decodePageToken(options.pageToken) : null;
    const rows: Array<BatchRow & { cursor_created_at: string }> = after
      ? await this.dataSource.query(LIST_NEXT_PAGE_SQL, [clientId, pageSize + 1, after.createdAt, after.id])
      : await this.dataSource.query(LIST_FIRST_PAGE_SQL, [clientId, pageSize + 1]);
    const page = rows.slice(0, pageSize);
    const last = page[page.length - 1];
    const nextPageToken =
      rows.length > pageSize && last
        ? encodePageToken({ createdAt: last.cursor_created_at, id: last.id })
        : null;
    const now = new Date();
    return { batches: page.map((row) => toBatchView(row, now)), nextPageToken };
  }

  /** Pending items are cancelled and their jobs removed; running ones finish. Cancelling again changes nothing. */
  async cancel(clientId: string, batchId: string): Promise<BatchView> {
    const before = await this.rowOf(clientId, batchId);
    const rows: Array<BatchRow & { cancelled_item_ids: string[] }> = await this.dataSource.query(CANCEL_SQL, [
      batchId,
    ]);
    const row = rows[0] ?? before;
    const cancelled = rows[0]?.cancelled_item_ids ?? [];
    // A worker drops the job of a cancelled item at its claim (one indexed UPDATE that matches nothing).
    // Removing waiting jobs costs an O(queue length) LREM each in BullMQ, so only small cancels remove them.
    if (cancelled.length > 0 && cancelled.length <= MAX_JOBS_REMOVED_ON_CANCEL) {
      await this.queues.remove(row.model, cancelled).catch((error: unknown) => {
        this.logger.warn(`batch ${batchId}: removing cancelled jobs failed: ${String(error)}`);
      });
    }
    return toBatchView(row);
  }

  /** The NDJSON lines of the finished items, in line order, read page by page. Throws 404 before streaming. */
  async results(clientId: string, batchId: string): Promise<AsyncIterable<string>> {
    await this.rowOf(clientId, batchId);
    return resultLines(this.dataSource, batchId);
  }

  private async rowOf(clientId: string, batchId: string): Promise<BatchRow> {
    if (!isUuid(batchId)) throw KeyfleetError.notFound(`batch ${batchId.slice(0, 64)} not found`);
    const rows: BatchRow[] = await this.dataSource.query(BATCH_OF_CLIENT_SQL, [batchId, clientId]);
    if (!rows[0]) throw KeyfleetError.notFound(`batch ${batchId} not found`);
    return rows[0];
  }

  private async byIdempotencyKey(clientId: string, key: string): Promise<BatchRow | null> {
    const rows: BatchRow[] = await this.dataSource.query(BATCH_BY_IDEMPOTENCY_KEY_SQL, [clientId, key]);
    return rows[0] ?? null;
  }

  private async insert(
    manager: EntityManager,
    clientId: string,
    parsed: ParsedBatch,
    idempotencyKey: string | undefined,
  ): Promise<BatchRow> {
    const [batch]: BatchRow[] = await manager.query(INSERT_BATCH_SQL, [
      clientId,
      parsed.model,
      parsed.displayName,
      idempotencyKey ?? null,
      parsed.priority,
    ]);
    const writer = new ItemChunkWriter(manager, batch.id, parsed.format);
    try {
      for await (const item of parsed.items) await writer.add(item);
      await writer.finish();
    } catch (error) {
      await writer.settle(); // the rollback waits for no write still in flight
      throw error;
    }
    if (writer.count === 0) throw KeyfleetError.invalid('requests: a batch needs at least one request');
    const [row]: BatchRow[] = await manager.query(SET_BATCH_TOTAL_SQL, [batch.id, writer.count]);
    return row;
  }

  /**
   * Hands a stored batch to dispatch. Takes only the row: the items are read back from Postgres a page at
   * a time (one job per item, job id = item id), so no list of them is ever held here.
   */
  private async afterInsert(row: BatchRow): Promise<void> {
    try {
      for (let after = 0; ;) {
        const page: Array<{ id: string; line_no: number }> = await this.dataSource.query(ITEM_IDS_PAGE_SQL, [
          row.id,
          after,
          ENQUEUE_PAGE_SIZE,
        ]);
        if (page.length === 0) return;
        const jobs: BatchItemJob[] = page.map(({ id }) => ({
          itemId: id,
          batchId: row.id,
          model: row.model,
        }));
        await this.queues.enqueue(jobs);
        after = page[page.length - 1].line_no;
      }
    } catch (error) {
      this.logger.warn(`batch ${row.id}: enqueue failed, the reconciler will retry: ${String(error)}`);
    }
  }
}
