import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { BATCH_MODE_LEASE } from '@keyfleet/batches';
import type { BatchModeJobState, BatchStatus } from '@keyfleet/persistence';
import type { BudgetHold } from '@keyfleet/admission';
import { TAKE_FOR_BATCH_MODE_SQL, TAKE_HOLD_SQL } from './batch-mode.sql';

/** A batch_mode_jobs row as raw SQL returns it. */
export interface BatchModeJobRow {
  id: string;
  batch_id: string;
  project_id: string;
  model: string;
  first_line: number;
  last_line: number;
  est_tokens: number;
  name: string | null;
  state: BatchModeJobState;
  input_file: string | null;
  budget_hold: BudgetHold | null;
}

/** What the economy lane needs of its batch. */
export interface EconomyBatch {
  id: string;
  clientId: string;
  model: string;
  status: BatchStatus;
  laneLive: boolean;
  deadline: Date | null;
  pendingCount: number;
}

/** A waiting item, as a Batch Mode job carries it. */
export interface EconomyItem {
  id: string;
  lineNo: number;
  key: string;
  request: Record<string, unknown>;
  estTokens: number;
}

/** A project's Batch Mode load: its open jobs, and the tokens they hold enqueued for the model. */
export interface ProjectBatchLoad {
  projectId: string;
  maxJobs: number;
  /** The project's enqueued-token cap for the model; null = none. */
  tokenCap: number | null;
  openJobs: number;
  enqueuedTokens: number;
}

const LOAD_SQL = `
SELECT p.id AS "projectId", p.batch_max_jobs AS "maxJobs",
  (p.batch_enqueued_tokens ->> $2)::bigint AS "tokenCap",
  (SELECT count(*)::int FROM batch_mode_jobs j WHERE j.project_id = p.id AND NOT j.settled) AS "openJobs",
  (SELECT COALESCE(sum(j.est_tokens), 0)::bigint FROM batch_mode_jobs j
    WHERE j.project_id = p.id AND NOT j.settled AND j.model = $2) AS "enqueuedTokens"
FROM projects p WHERE p.id = ANY($1::uuid[])`;

/** The Batch Mode jobs of economy batches in Postgres: what a successor resumes from. */
@Injectable()
export class BatchModeJobsStore {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async batch(batchId: string): Promise<EconomyBatch | null> {
    const rows: EconomyBatch[] = await this.dataSource.query(
      `SELECT id, client_id AS "clientId", model, status, lane_live AS "laneLive", deadline, pending_count AS "pendingCount"
       FROM batches WHERE id = $1`,
      [batchId],
    );
    return rows[0] ?? null;
  }

  openJobs(batchId: string): Promise<BatchModeJobRow[]> {
    return this.dataSource.query(
      `SELECT * FROM batch_mode_jobs WHERE batch_id = $1 AND NOT settled ORDER BY first_line`,
      [batchId],
    );
  }

  /** The first waiting items in line order (a Batch Mode job takes a run of consecutive lines). */
  pendingItems(batchId: string, limit: number): Promise<EconomyItem[]> {
    return this.dataSource.query(
      `SELECT id, line_no AS "lineNo", key, request, est_tokens AS "estTokens" FROM batch_items
       WHERE batch_id = $1 AND status = 'pending' ORDER BY line_no LIMIT $2`,
      [batchId, limit],
    );
  }

  /** The job's items Batch Mode still runs, in line order (with their requests, to submit them). */
  runningItems(
    job: BatchModeJobRow,
    withRequests = false,
  ): Promise<Array<{ id: string; key: string; request?: Record<string, unknown> }>> {
    return this.dataSource.query(
      `SELECT id, key${withRequests ? ', request' : ''} FROM batch_items
       WHERE batch_id = $1 AND line_no BETWEEN $2 AND $3 AND status = 'running' AND lease_owner = $4
       ORDER BY line_no`,
      [job.batch_id, job.first_line, job.last_line, BATCH_MODE_LEASE],
    );
  }

  async loads(projectIds: readonly string[], model: string): Promise<ProjectBatchLoad[]> {
    const rows: ProjectBatchLoad[] = await this.dataSource.query(LOAD_SQL, [projectIds, model]);
    return rows.map((row) => ({
      ...row,
      tokenCap: row.tokenCap === null ? null : Number(row.tokenCap),
      enqueuedTokens: Number(row.enqueuedTokens),
    }));
  }

  /**
   * Records the job (`submitting`, before Google hears of it) and moves its items to running under
   * Batch Mode, in one transaction: a successor finds the job and looks it up before submitting again.
   */
  async record(
    job: Omit<BatchModeJobRow, 'name' | 'state' | 'input_file'>,
    itemIds: string[],
  ): Promise<boolean> {
    return this.dataSource
      .transaction(async (manager) => {
        await manager.query(
          `INSERT INTO batch_mode_jobs (id, batch_id, project_id, model, first_line, last_line, est_tokens)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
          [job.id, job.batch_id, job.project_id, job.model, job.first_line, job.last_line, job.est_tokens],
        );
        const moved: unknown[] = await manager.query(TAKE_FOR_BATCH_MODE_SQL, [
          itemIds,
          itemIds.map(() => job.project_id),
        ]);
        // Another taker got some of them (a cancel, say): record nothing.
        if (moved.length !== itemIds.length) throw new ItemsMoved();
        return true;
      })
      .catch((error: unknown) => {
        if (error instanceof ItemsMoved) return false;
        throw error;
      });
  }

  async named(
    jobId: string,
    name: string,
    state: BatchModeJobState,
    inputFile: string | null,
  ): Promise<void> {
    await this.dataSource.query(
      `UPDATE batch_mode_jobs SET name = $2, state = $3, input_file = $4, updated_at = now() WHERE id = $1`,
      [jobId, name, state, inputFile],
    );
  }

  async setState(jobId: string, state: BatchModeJobState, settled = false): Promise<void> {
    await this.dataSource.query(
      `UPDATE batch_mode_jobs SET state = $2, settled = settled OR $3, updated_at = now() WHERE id = $1`,
      [jobId, state, settled],
    );
  }

  /** The job's budget hold, taken off it (once: a second call gets null) to be settled. */
  async takeHold(jobId: string): Promise<BudgetHold | null> {
    const rows: Array<{ budget_hold: BudgetHold }> = await this.dataSource.query(TAKE_HOLD_SQL, [jobId]);
    return rows[0]?.budget_hold ?? null;
  }

  /** A job Google never took (refused): forgotten; its items are released by the caller. */
  async forget(jobId: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM batch_mode_jobs WHERE id = $1`, [jobId]);
  }

  /** From now on the live dispatchers take the batch's waiting items (a fallback from Batch Mode). */
  async goLive(batchId: string): Promise<void> {
    await this.dataSource.query(`UPDATE batches SET lane_live = true WHERE id = $1`, [batchId]);
  }
}

class ItemsMoved extends Error {}
