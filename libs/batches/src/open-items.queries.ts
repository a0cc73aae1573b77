import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

export interface OpenBatch {
  id: string;
  model: string;
}

export interface OpenItem {
  id: string;
  lineNo: number;
  status: 'pending' | 'running';
}

/** What Postgres says is still to do: for the reconciler, which makes sure a queue holds every open item. */
@Injectable()
export class OpenItemsQueries {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Batches with items still pending or running (a cancelled one may still have running items). */
  async openBatches(): Promise<OpenBatch[]> {
    return this.dataSource.query(
      `SELECT id, model FROM batches WHERE pending_count > 0 OR running_count > 0 ORDER BY created_at`,
    );
  }

  /** One keyset page of a batch's open items, in line order (the (batch_id, line_no) index). */
  async openItems(batchId: string, afterLineNo: number, limit: number): Promise<OpenItem[]> {
    return this.dataSource.query(
      `SELECT id, line_no AS "lineNo", status FROM batch_items
       WHERE batch_id = $1 AND line_no > $2 AND status IN ('pending', 'running')
       ORDER BY line_no LIMIT $3`,
      [batchId, afterLineNo, limit],
    );
  }
}
