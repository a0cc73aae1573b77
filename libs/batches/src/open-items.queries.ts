import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/** A batch with items waiting, and what the scheduler needs to give it turns. */
export interface OpenBatch {
  batchId: string;
  model: string;
  clientId: string;
  priority: number;
  /** Its client's weight. */
  weight: number;
}

const OPEN_BATCHES_SQL = `
SELECT b.id AS "batchId", b.model, b.client_id AS "clientId", b.priority, COALESCE(c.weight, 1) AS weight
FROM batches b LEFT JOIN clients c ON c.id = b.client_id
WHERE b.pending_count > 0 AND b.status IN ('queued', 'running') AND b.lane_live
ORDER BY b.created_at`;

/** What Postgres says is still to do: for the reconciler, which makes sure the scheduler knows every batch with work. */
@Injectable()
export class OpenItemsQueries {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Batches with items waiting (one row per batch, whatever the number of items). */
  openBatches(): Promise<OpenBatch[]> {
    return this.dataSource.query(OPEN_BATCHES_SQL);
  }
}
