import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type QueryRunner } from 'typeorm';
import type { BatchStatus } from '@keyfleet/persistence';
import { itemTransitionSql } from './item-transition.sql';

/** A waiting item, as admission needs it before anything is written. */
export interface WaitingItem {
  id: string;
  lineNo: number;
  /** Estimated input tokens (uncalibrated). */
  estTokens: number;
}

/** A waiting item admitted upstream: where it goes, and the caller's handle on its quota room. */
export interface AdmittedItem<S> {
  id: string;
  projectId: string;
  upstreamKeyId: string;
  slot: S;
}

/** An item taken to be sent now: pending → running under the taker's lease. */
export interface TakenItem<S> {
  id: string;
  batchId: string;
  key: string;
  request: Record<string, unknown>;
  /** Attempts used up so far (quota waits do not count). */
  attempts: number;
  slot: S;
}

/** How much of a batch is still to do (its counters, exact). */
export interface BatchBacklogState {
  model: string;
  pending: number;
  running: number;
  status: BatchStatus;
}

// Items from before est_tokens existed are estimated from their size (about four bytes a token). A
// paused batch (its client's budget reached) gives none, nor does one Google's Batch Mode runs (economy).
const WAITING_SQL = `
SELECT id, line_no AS "lineNo",
  CASE WHEN est_tokens > 0 THEN est_tokens ELSE GREATEST(1, octet_length(request::text) / 4) END AS "estTokens"
FROM batch_items WHERE batch_id = $1 AND status = 'pending'
  AND EXISTS (SELECT 1 FROM batches WHERE id = $1 AND status <> 'paused' AND lane_live)
ORDER BY line_no LIMIT $2
FOR UPDATE SKIP LOCKED`;

const TAKE_SQL = itemTransitionSql({
  from: ['pending'],
  to: `CASE WHEN c.batch_status = 'cancelled' THEN 'cancelled' ELSE 'running' END`,
  inputs: ['lease_owner uuid', 'project_id uuid', 'upstream_key_id uuid'],
  set: `lease_owner = x.lease_owner, project_id = x.project_id, upstream_key_id = x.upstream_key_id,
    taken_at = now(), completed_at = CASE WHEN c.batch_status = 'cancelled' THEN now() ELSE NULL END`,
  returning: 't.key, t.request, t.attempts',
});

const STATE_SQL = `SELECT model, pending_count AS pending, running_count AS running, status FROM batches WHERE id = $1`;

interface TakeRow {
  id: string;
  batch_id: string;
  status: string;
  key: string;
  request: Record<string, unknown>;
  attempts: number;
}

/**
 * Postgres holds the backlog; dispatch takes from it here. A take locks a batch's first waiting items
 * (SKIP LOCKED, so takers on other processes get the next ones), asks `admit` which of them have quota
 * room, and moves exactly those to running under the taker's lease, in one short transaction. Items
 * without room are never written: they stay waiting at the head of their batch.
 */
@Injectable()
export class Backlog {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Takes up to `limit` waiting items of the batch that `admit` lets through. If this throws after
   * `admit` returned, nothing was taken: the caller gives back the room it reserved.
   */
  async take<S>(
    batchId: string,
    limit: number,
    leaseOwner: string,
    admit: (waiting: WaitingItem[]) => Promise<Array<AdmittedItem<S>>>,
  ): Promise<Array<TakenItem<S>>> {
    return this.inTransaction(async (runner) => {
      const waiting = (await runner.query(WAITING_SQL, [batchId, limit])) as WaitingItem[];
      if (waiting.length === 0) return [];
      const admitted = await admit(waiting);
      if (admitted.length === 0) return [];
      const rows = (await runner.query(TAKE_SQL, [
        admitted.map((a) => a.id),
        admitted.map(() => leaseOwner),
        admitted.map((a) => a.projectId),
        admitted.map((a) => a.upstreamKeyId),
      ])) as TakeRow[];
      const slots = new Map(admitted.map((a) => [a.id, a.slot]));
      const byId = new Map(rows.map((row) => [row.id, row]));
      // In line order (as admitted), whatever order the statement returned them in.
      return admitted
        .map((a) => byId.get(a.id))
        .filter((row): row is TakeRow => row?.status === 'running')
        .map((row) => ({
          id: row.id,
          batchId: row.batch_id,
          key: row.key,
          request: row.request,
          attempts: row.attempts,
          slot: slots.get(row.id) as S,
        }));
    });
  }

  /** The batch's counters (null if it does not exist). */
  async state(batchId: string): Promise<BatchBacklogState | null> {
    const rows: BatchBacklogState[] = await this.dataSource.query(STATE_SQL, [batchId]);
    return rows[0] ?? null;
  }

  private async inTransaction<T>(work: (runner: QueryRunner) => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      const result = await work(runner);
      await runner.commitTransaction();
      return result;
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw error;
    } finally {
      await runner.release();
    }
  }
}
