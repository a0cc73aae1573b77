import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { toBatchView, type BatchRow } from '@keyfleet/batches';
import { BatchEta } from '../batches/batch-eta';
import type { AdminBatchQuery, AdminBatchView } from '../openapi/schemas/admin-batches';

const OVERVIEW_SQL = `SELECT b.*, c.name AS client_name
  FROM batches b JOIN clients c ON c.id = b.client_id
  WHERE ($1::varchar IS NULL OR b.status = $1)
  ORDER BY b.created_at DESC, b.id DESC
  LIMIT $2`;

/** Batches across every client, newest first, for operators (the dashboard): progress and ETA. */
@Injectable()
export class BatchesOverview {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly eta: BatchEta,
  ) {}

  async list(query: AdminBatchQuery): Promise<AdminBatchView[]> {
    const rows: Array<BatchRow & { client_name: string }> = await this.dataSource.query(OVERVIEW_SQL, [
      query.status ?? null,
      query.limit,
    ]);
    const now = new Date();
    return Promise.all(
      rows.map(async (row) => ({
        ...(await this.eta.withEta(toBatchView(row, now))),
        clientId: row.client_id,
        clientName: row.client_name,
      })),
    );
  }
}
