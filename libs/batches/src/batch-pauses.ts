import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { OpenBatch } from './open-items.queries';

/** A paused batch, with the estimated input tokens of the item it would take next. */
export interface PausedBatch extends OpenBatch {
  nextItemTokens: number;
}

const PAUSE_SQL = `
UPDATE batches SET status = 'paused' WHERE id = $1 AND status IN ('queued', 'running') RETURNING id`;

const PAUSED_SQL = `
SELECT b.id AS "batchId", b.model, b.client_id AS "clientId", b.priority, COALESCE(c.weight, 1) AS weight,
  COALESCE((SELECT GREATEST(i.est_tokens, 1) FROM batch_items i
    WHERE i.batch_id = b.id AND i.status = 'pending' ORDER BY i.line_no LIMIT 1), 1) AS "nextItemTokens"
FROM batches b LEFT JOIN clients c ON c.id = b.client_id
WHERE b.status = 'paused'
ORDER BY b.created_at`;

// Back to where it was: running if it ever started, else queued.
const RESUME_SQL = `
UPDATE batches SET status = CASE WHEN started_at IS NULL THEN 'queued' ELSE 'running' END
WHERE id = $1 AND status = 'paused' RETURNING id`;

/**
 * Batches paused at their client's budget: no item of a paused batch is taken (Backlog.take), items in
 * flight finish and are kept, and resuming puts it back where it was. Every change is conditional on the
 * status, so pausing or resuming twice, from any process, changes nothing.
 */
@Injectable()
export class BatchPauses {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** True if this call paused it (it was queued or running). */
  async pause(batchId: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(`WITH u AS (${PAUSE_SQL}) SELECT * FROM u`, [
      batchId,
    ]);
    return rows.length > 0;
  }

  paused(): Promise<PausedBatch[]> {
    return this.dataSource.query(PAUSED_SQL);
  }

  /** True if this call resumed it (it was paused). */
  async resume(batchId: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(`WITH u AS (${RESUME_SQL}) SELECT * FROM u`, [
      batchId,
    ]);
    return rows.length > 0;
  }
}
