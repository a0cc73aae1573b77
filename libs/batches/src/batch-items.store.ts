import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ITEM_USAGE_CTE, ITEM_USAGE_INPUTS, type ItemUsage } from '@keyfleet/accounting';
import type { BatchItemStatus, ItemError } from '@keyfleet/persistence';
import { GroupedWrites } from './grouped-writes';
import { itemTransitionSql } from './item-transition.sql';

/** An item and its batch: the writes of one batch's items can share a statement. */
export interface ItemRef {
  id: string;
  batchId: string;
}

/** Where a success came from, for the record and for usage. */
export interface ItemOrigin {
  projectId: string | null;
  upstreamKeyId: string | null;
  promptTokens: number | null;
  /** What the answer used and cost: recorded in usage_records by the same statement as the result. */
  usage?: ItemUsage | null;
}

/** A batch that has an item waiting again: the scheduler must give it turns. */
export interface ReopenedBatch {
  batchId: string;
  model: string;
  clientId: string;
  priority: number;
}

const SUCCEED_SQL = itemTransitionSql({
  from: ['pending', 'running'],
  to: `'succeeded'`,
  inputs: [
    'response jsonb',
    'project_id uuid',
    'upstream_key_id uuid',
    'prompt_tokens int',
    ...ITEM_USAGE_INPUTS,
  ],
  set: 'response = x.response, error = NULL, project_id = x.project_id, upstream_key_id = x.upstream_key_id, prompt_tokens = x.prompt_tokens, completed_at = now()',
  // The item's usage record goes with its result: written exactly once, lost with nothing.
  also: ITEM_USAGE_CTE,
});

const FAIL_SQL = itemTransitionSql({
  from: ['pending', 'running'],
  to: `'failed'`,
  inputs: ['error jsonb', 'project_id uuid', 'upstream_key_id uuid'],
  set: 'error = x.error, response = NULL, project_id = x.project_id, upstream_key_id = x.upstream_key_id, completed_at = now()',
});

// Only the item's own runner (its lease owner) lets it go: a worker whose lease ran out while it was
// stalled must not hand back an item another worker has taken since.
const RELEASE_SQL = itemTransitionSql({
  from: ['running'],
  to: `CASE WHEN c.batch_status = 'cancelled' THEN 'cancelled' ELSE 'pending' END`,
  inputs: ['lease_owner uuid'],
  where: 'i.lease_owner IS NOT DISTINCT FROM x.lease_owner',
  set: `lease_owner = NULL, completed_at = CASE WHEN c.batch_status = 'cancelled' THEN now() ELSE NULL END`,
});

const REOPENED_SQL = `SELECT id AS "batchId", model, client_id AS "clientId", priority
  FROM batches WHERE id = ANY($1::uuid[]) AND status <> 'cancelled'`;

interface TransitionRow {
  id: string;
  batch_id: string;
  status: BatchItemStatus;
  previous: BatchItemStatus;
  final: boolean;
}

/**
 * The item state machine after an item is taken (see Backlog.take, pending → running): running →
 * succeeded | failed, running → pending (it waits again). Each move happens exactly once and moves the
 * batch's counts with it.
 */
@Injectable()
export class BatchItemsStore {
  // Results come in bursts (hundreds of one batch at once): grouped, they take the batch's row lock once
  // per statement, and at most one statement per batch waits for it.
  private readonly successes = new GroupedWrites<unknown[], TransitionRow>((group) =>
    this.transition(SUCCEED_SQL, group),
  );

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Stores the response. True only for the one call that recorded it. */
  async succeed(item: ItemRef, response: Record<string, unknown>, origin: ItemOrigin): Promise<boolean> {
    const input = [
      JSON.stringify(response),
      origin.projectId,
      origin.upstreamKeyId,
      origin.promptTokens,
      ...usageInputsOf(origin.usage ?? null),
    ];
    return (await this.successes.submit(item.batchId, item.id, input)) !== null;
  }

  /** Stores the final error. True only for the one call that recorded it. */
  async fail(itemId: string, error: ItemError, origin: Partial<ItemOrigin> = {}): Promise<boolean> {
    const input = [JSON.stringify(error), origin.projectId ?? null, origin.upstreamKeyId ?? null];
    return (await this.transition(FAIL_SQL, [{ id: itemId, input }])).has(itemId);
  }

  /**
   * running → pending, to wait again (cancelled instead if its batch was cancelled meanwhile), if
   * `leaseOwner` still runs it. Returns the batches that have an item waiting again.
   */
  async release(itemIds: readonly string[], leaseOwner: string | null): Promise<ReopenedBatch[]> {
    if (itemIds.length === 0) return [];
    const moved = await this.transition(
      RELEASE_SQL,
      itemIds.map((id) => ({ id, input: [leaseOwner] })),
    );
    const reopened = [...moved.values()].filter((row) => row.status === 'pending');
    if (reopened.length === 0) return [];
    return this.dataSource.query(REOPENED_SQL, [[...new Set(reopened.map((row) => row.batch_id))]]);
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

/** ITEM_USAGE_INPUTS' values for one item (all null: nothing to record). */
function usageInputsOf(usage: ItemUsage | null): unknown[] {
  if (!usage) return ITEM_USAGE_INPUTS.map(() => null);
  const { lane, inputTokens, outputTokens, thinkingTokens, cachedTokens, costMicroUsd } = usage;
  return [lane, inputTokens, outputTokens, thinkingTokens, cachedTokens, costMicroUsd.toFixed(6)];
}
