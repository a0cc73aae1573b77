import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { KEYFLEET_CONFIG, type KeyfleetConfig } from '@keyfleet/config';
import { PRUNE_SQL, ROLL_UP_SQL } from './usage-sql';

// Rows per statement: a pass over a large backlog takes its locks in bounded steps.
const CHUNK = 20_000;
const DAY_MS = 86_400_000;

/**
 * Sums raw usage records into usage_hourly and deletes raw rows past their retention. Any number of
 * processes may run it at once (see ROLL_UP_SQL): each row is summed once, deleted only once summed.
 */
@Injectable()
export class UsageRollup {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(KEYFLEET_CONFIG) private readonly config: KeyfleetConfig,
  ) {}

  /** Rolls up every row not rolled up yet; returns how many this call summed (0 when another pass runs). */
  async rollUp(): Promise<number> {
    let total = 0;
    for (;;) {
      const rows: Array<{ rows: number }> = await this.dataSource.query(ROLL_UP_SQL, [CHUNK]);
      const done = rows[0]?.rows ?? 0;
      total += done;
      if (done < CHUNK) return total;
    }
  }

  /** Deletes rolled-up raw rows older than KF_USAGE_RAW_RETENTION_DAYS; returns how many. */
  async prune(now = new Date()): Promise<number> {
    const before = new Date(now.getTime() - this.config.usage.rawRetentionDays * DAY_MS);
    let total = 0;
    for (;;) {
      const rows: Array<{ rows: number }> = await this.dataSource.query(PRUNE_SQL, [before, CHUNK]);
      const done = rows[0]?.rows ?? 0;
      total += done;
      if (done < CHUNK) return total;
    }
  }
}
