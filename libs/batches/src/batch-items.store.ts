import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { BatchItemStatus, ItemError } from '@keyfleet/persistence';
import { itemTransitionSql } from './item-transition.sql';

/** An item a worker has claimed: what it needs to send it upstream. */
export interface ClaimedItem {
  id: string;
  batchId: string;
  key: string;
  request: Record<string, unknown>;
  /** Attempts used up so far (quota waits do not count). */
  attempts: number;
}

/** An item as it stands, read without a lock: what a worker needs before it reserves quota. */
export interface PeekedItem extends ClaimedItem {
  status: BatchItemStatus;
  /** Its batch was cancelled: a claim cancels the item instead of running it. */
  batchCancelled: boolean;
}

/** Where a success came from, for the record and for usage. */
export interface ItemOrigin {
  projectId: string | null;
  upstreamKeyId: string | null;
  promptTokens: number | null;
}

const PEEK_SQL = `SELECT i.batch_id, i.key, i.request, i.attempts, i.status, b.status AS batch_status
  FROM batch_items i JOIN batches b ON b.id = i.batch_id WHERE i.id = $1`;

const CLAIM_SQL = itemTransitionSql({
  from: ['pending', 'running'],
  // A pending item of a cancelled batch is cancelled instead; a running one (redelivered) runs on.
  to: `CASE WHEN c.previous = 'pending' AND c.batch_status = 'cancelled' THEN 'cancelled' ELSE 'running' END`,
  set: `completed_at = CASE WHEN c.previous = 'pending' AND c.batch_status = 'cancelled' THEN now() ELSE t.completed_at END`,
  returning: 't.key, t.request, t.attempts',
});

const SUCCEED_SQL = itemTransitionSql({
  from: ['pending', 'running'],
  to: `'succeeded'`,
  set: 'response = $2::jsonb, error = NULL, project_id = $3, upstream_key_id = $4, prompt_tokens = $5, completed_at = now()',
});

const FAIL_SQL = itemTransitionSql({
  from: ['pending', 'running'],
  to: `'failed'`,
  set: 'error = $2::jsonb, response = NULL, project_id = $3, upstream_key_id = $4, completed_at = now()',
});

const RELEASE_SQL = itemTransitionSql({
  from: ['running'],
  to: `CASE WHEN c.batch_status = 'cancelled' THEN 'cancelled' ELSE 'pending' END`,
  set: `completed_at = CASE WHEN c.batch_status = 'cancelled' THEN now() ELSE NULL END`,
});

interface TransitionRow {
  id: string;
  batch_id: string;
  status: BatchItemStatus;
  previous: BatchItemStatus;
  final: boolean;
  key?: string;
  request?: Record<string, unknown>;
  attempts?: number;
}

/**
 * The item state machine of the workers: pending → running → succeeded | failed, running → pending
 * (a wait), pending → cancelled. Each move happens exactly once and moves the batch's counts with it.
 */
@Injectable()
export class BatchItemsStore {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Reads an item without writing or locking anything, so a worker can ask for quota before it touches
   * the batch's row. Null when the item does not exist.
   */
  async peek(itemId: string): Promise<PeekedItem | null> {
    const rows: Array<{
      batch_id: string;
      key: string;
      request: Record<string, unknown>;
      attempts: number;
      status: BatchItemStatus;
      batch_status: string;
    }> = await this.dataSource.query(PEEK_SQL, [itemId]);
    const row = rows[0];
    if (!row) return null;
    return {
      id: itemId,
      batchId: row.batch_id,
      key: row.key,
      request: row.request,
      attempts: row.attempts,
      status: row.status,
      batchCancelled: row.batch_status === 'cancelled',
    };
  }

  /** pending → running (or running again on a redelivery). Null when the item is final or was just cancelled. */
  async claim(itemId: string): Promise<ClaimedItem | null> {
    const row = await this.transition(CLAIM_SQL, [itemId]);
    if (!row || row.status !== 'running') return null;
    return {
      id: row.id,
      batchId: row.batch_id,
      key: row.key ?? '',
      request: row.request ?? {},
      attempts: row.attempts ?? 0,
    };
  }

  /** Stores the response. True only for the one call that recorded it. */
  async succeed(itemId: string, response: Record<string, unknown>, origin: ItemOrigin): Promise<boolean> {
    const row = await this.transition(SUCCEED_SQL, [
      itemId,
      JSON.stringify(response),
      origin.projectId,
      origin.upstreamKeyId,
      origin.promptTokens,
    ]);
    return row !== null;
  }

  /** Stores the final error. True only for the one call that recorded it. */
  async fail(itemId: string, error: ItemError, origin: Partial<ItemOrigin> = {}): Promise<boolean> {
    const row = await this.transition(FAIL_SQL, [
      itemId,
      JSON.stringify(error),
      origin.projectId ?? null,
      origin.upstreamKeyId ?? null,
    ]);
    return row !== null;
  }

  /** running → pending, to wait (cancelled instead if its batch was cancelled meanwhile). False if it was not running. */
  async release(itemId: string): Promise<boolean> {
    return (await this.transition(RELEASE_SQL, [itemId])) !== null;
  }

  /** Uses up one attempt of a running item; returns the attempts used, or null when it is not running. */
  async useAttempt(itemId: string): Promise<number | null> {
    const rows: Array<{ attempts: number }> = await this.dataSource.query(
      // Wrapped in a SELECT: TypeORM answers a top-level UPDATE with [rows, count] instead of rows.
      `WITH u AS (UPDATE batch_items SET attempts = attempts + 1 WHERE id = $1 AND status = 'running' RETURNING attempts) SELECT * FROM u`,
      [itemId],
    );
    return rows[0]?.attempts ?? null;
  }

  private async transition(sql: string, params: unknown[]): Promise<TransitionRow | null> {
    const rows: TransitionRow[] = await this.dataSource.query(sql, params);
    return rows[0] ?? null;
  }
}
