import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { hourRange } from './usage-range';
import { CLIENT_SPEND_SQL } from './usage-sql';

/** What a client has spent: the hourly rollups plus its raw rows not rolled up yet (one query). */
@Injectable()
export class ClientSpend {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Micro-dollars the client's recorded requests cost in [from, to), of `model` only when given. Counted
   * by whole UTC hours (from rounded down, to rounded up); interactive records still in a process'
   * buffer (up to USAGE_FLUSH_MS) are not counted yet.
   */
  async spentMicroUsd(clientId: string, from: Date, to: Date, model?: string): Promise<number> {
    const range = hourRange(from, to);
    const rows: Array<{ micros: string }> = await this.dataSource.query(CLIENT_SPEND_SQL, [
      range.from,
      range.to,
      clientId,
      model ?? null,
    ]);
    return Number(rows[0]?.micros ?? 0);
  }
}
