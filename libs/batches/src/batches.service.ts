import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { KeyfleetError } from '@keyfleet/errors';
import { DispatchSignals, FairShare } from '@keyfleet/fair-share';
import {
  BATCH_BY_IDEMPOTENCY_KEY_SQL,
  BATCH_OF_CLIENT_SQL,
  CANCEL_SQL,
  INSERT_BATCH_SQL,
  LIST_FIRST_PAGE_SQL,
  LIST_NEXT_PAGE_SQL,
  SET_BATCH_TOTAL_SQL,
} from './batch-sql';
import { ItemCopyWriter } from './item-copy-writer';
import { LIVE_DECISION } from './lanes/lane-choice';
import { toBatchView, type BatchRow, type BatchView } from './batch-view';
import { decodePageToken, encodePageToken, isUuid } from './page-token';
import { resultLines } from './result-lines';
import type { ParsedBatch } from './validation';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;
export const MAX_IDEMPOTENCY_KEY_LENGTH = 200;
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
    private readonly fairShare: FairShare,
    private readonly signals: DispatchSignals,
  ) {}

  /**
   * Stores the batch and its items in one transaction, reading them as they come (an NDJSON upload is a
   * stream) and writing them in chunks, so memory stays flat whatever the batch's size; a bad item
   * anywhere rolls everything back. Then gives the batch turns in the model's fair scheduler and wakes
   * the dispatchers (Postgres holds the items; nothing per item goes to Redis). If that fails, the items
   * still wait in Postgres and the workers' reconciler announces the batch.
   */
  async create(clientId: string, parsed: ParsedBatch, idempotencyKey?: string): Promise<CreatedBatch> {
    if (idempotencyKey !== undefined) {
      if (idempotencyKey.length === 0 || idempotencyKey.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
        throw KeyfleetError.invalid(`Idempotency-Key: must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`);
      }
      const earlier = await this.byIdempotencyKey(clientId, idempotencyKey);
      if (earlier) return { batch: toBatchView(earlier), created: false };
    }
    let row: BatchRow & { client_weight: number | null };
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
    await this.announce(row);
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

  /**
   * Pending items are cancelled; running ones finish. Cancelling again changes nothing. (The scheduler
   * drops the batch the next time it is its turn and nothing is left to take.)
   */
  async cancel(clientId: string, batchId: string): Promise<BatchView> {
    const before = await this.rowOf(clientId, batchId);
    const rows: BatchRow[] = await this.dataSource.query(CANCEL_SQL, [batchId]);
    return toBatchView(rows[0] ?? before);
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
  ): Promise<BatchRow & { client_weight: number | null }> {
    const [batch]: BatchRow[] = await manager.query(INSERT_BATCH_SQL, [
      clientId,
      parsed.model,
      parsed.displayName,
      idempotencyKey ?? null,
      parsed.priority,
      parsed.lane ?? 'live',
      parsed.deadline ?? null,
    ]);
    const writer = await ItemCopyWriter.open(manager, batch.id, parsed.format);
    try {
      for await (const item of parsed.items) await writer.add(item);
      await writer.finish();
    } catch (error) {
      await writer.abort(error); // Postgres drops the COPY; the transaction rolls back
      throw error;
    }
    if (writer.count === 0) throw KeyfleetError.invalid('requests: a batch needs at least one request');
    const lane = parsed.decideLane?.() ?? LIVE_DECISION;
    const [row]: Array<BatchRow & { client_weight: number | null }> = await manager.query(
      SET_BATCH_TOTAL_SQL,
      [batch.id, writer.count, lane.laneChosen, lane.laneReason, lane.estimatedSavingUsd],
    );
    return row;
  }

  /** An economy batch is the workers' Batch Mode scheduler's (it finds it in Postgres), not the dispatchers'. */
  private async announce(row: BatchRow & { client_weight: number | null }): Promise<void> {
    if (row.lane_chosen !== 'live') return;
    try {
      await this.fairShare.activate(row.model, {
        batchId: row.id,
        clientId: row.client_id,
        priority: row.priority,
        weight: row.client_weight ?? undefined,
      });
      this.signals.wake(row.model);
    } catch (error) {
      this.logger.warn(`batch ${row.id}: announcing it failed, the reconciler will: ${String(error)}`);
    }
  }
}
