import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import DataLoader from 'dataloader';
import { DataSource } from 'typeorm';
import type { BatchItemStatus, ItemError } from '@keyfleet/persistence';
import { GroupedWrites } from './grouped-writes';
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

/** An item and its batch: the writes of one batch's items can share a statement. */
export interface ItemRef {
  id: string;
  batchId: string;
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

const PEEK_SQL = `SELECT i.id, i.batch_id, i.key, i.request, i.attempts, i.status, b.status AS batch_status
  FROM batch_items i JOIN batches b ON b.id = i.batch_id WHERE i.id = ANY($1::uuid[])`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface PeekRow {
  id: string;
  batch_id: string;
  key: string;
  request: Record<string, unknown>;
  attempts: number;
  status: BatchItemStatus;
  batch_status: string;
}

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
  inputs: ['response jsonb', 'project_id uuid', 'upstream_key_id uuid', 'prompt_tokens int'],
  set: 'response = x.response, error = NULL, project_id = x.project_id, upstream_key_id = x.upstream_key_id, prompt_tokens = x.prompt_tokens, completed_at = now()',
});

const FAIL_SQL = itemTransitionSql({
  from: ['pending', 'running'],
  to: `'failed'`,
  inputs: ['error jsonb', 'project_id uuid', 'upstream_key_id uuid'],
  set: 'error = x.error, response = NULL, project_id = x.project_id, upstream_key_id = x.upstream_key_id, completed_at = now()',
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
  // A worker starts hundreds of deliveries at once when a burst's jobs arrive; read one at a time they
  // queued for pooled connections for up to a second (bench (a)), read together they take one query.
  // Not cached: an item's status moves on.
  private readonly peeks = new DataLoader<string, PeekedItem | null>((ids) => this.peekMany(ids), {
    cache: false,
    maxBatchSize: 1000,
  });

  // Claims and results come in bursts (hundreds of one batch at once): grouped, they take the batch's
  // row lock once per statement, and at most one statement per batch waits for it, holding one pooled
  // connection while the lock-free reads use the others.
  private readonly claims = new GroupedWrites<unknown[], TransitionRow>((group) =>
    this.transition(CLAIM_SQL, group),
  );
  private readonly successes = new GroupedWrites<unknown[], TransitionRow>((group) =>
    this.transition(SUCCEED_SQL, group),
  );

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Reads an item without writing or locking anything, so a worker can ask for quota before it touches
   * the batch's row. Null when the item does not exist.
   */
  peek(itemId: string): Promise<PeekedItem | null> {
    return this.peeks.load(itemId);
  }

  private async peekMany(ids: readonly string[]): Promise<Array<PeekedItem | null>> {
    // A malformed id is simply not found, rather than failing the query for the others.
    const valid = ids.filter((id) => UUID.test(id));
    const rows: PeekRow[] = valid.length ? await this.dataSource.query(PEEK_SQL, [valid]) : [];
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => {
      const row = byId.get(id);
      if (!row) return null;
      return {
        id,
        batchId: row.batch_id,
        key: row.key,
        request: row.request,
        attempts: row.attempts,
        status: row.status,
        batchCancelled: row.batch_status === 'cancelled',
      };
    });
  }

  /**
   * pending → running (or running again on a redelivery). Null when the item is final or was just
   * cancelled, or when `wanted` says no once the claim's turn comes (it then writes nothing).
   */
  async claim(item: ItemRef, wanted?: () => boolean): Promise<ClaimedItem | null> {
    const row = await this.claims.submit(item.batchId, item.id, [], wanted);
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
  async succeed(item: ItemRef, response: Record<string, unknown>, origin: ItemOrigin): Promise<boolean> {
    const input = [JSON.stringify(response), origin.projectId, origin.upstreamKeyId, origin.promptTokens];
    return (await this.successes.submit(item.batchId, item.id, input)) !== null;
  }

  /** Stores the final error. True only for the one call that recorded it. */
  async fail(itemId: string, error: ItemError, origin: Partial<ItemOrigin> = {}): Promise<boolean> {
    const input = [JSON.stringify(error), origin.projectId ?? null, origin.upstreamKeyId ?? null];
    return (await this.transition(FAIL_SQL, [{ id: itemId, input }])).has(itemId);
  }

  /** running → pending, to wait (cancelled instead if its batch was cancelled meanwhile). False if it was not running. */
  async release(itemId: string): Promise<boolean> {
    return (await this.transition(RELEASE_SQL, [{ id: itemId, input: [] }])).has(itemId);
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

  /** Moves each item of the group whose status allows it; the rows moved, by item id. */
  private async transition(
    sql: string,
    group: ReadonlyArray<{ id: string; input: unknown[] }>,
  ): Promise<Map<string, TransitionRow>> {
    const inputs = group[0]?.input.length ?? 0;
    const params = [
      group.map((item) => item.id),
      ...Array.from({ length: inputs }, (_, k) => group.map((item) => item.input[k])),
    ];
    const rows: TransitionRow[] = await this.dataSource.query(sql, params);
    return new Map(rows.map((row) => [row.id, row]));
  }
}
