import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { isDatabaseUnavailable } from '@keyfleet/persistence';
import { roundMicros } from './pricing';
import { INSERT_RECORDS_SQL } from './usage-sql';
import type { UsageRecordInput } from './usage-types';

/** A buffered record waits at most this long before it is written. */
export const USAGE_FLUSH_MS = 1000;
/** A buffer this full is written at once (one INSERT of this many rows). */
export const USAGE_FLUSH_ROWS = 500;
// Records kept through a Postgres outage; beyond it the oldest are dropped (and logged).
const MAX_BUFFERED = 200_000;

/**
 * Records answered requests in usage_records. `record` buffers (interactive calls: the answer is not held
 * up) and writes multi-row INSERTs, at most USAGE_FLUSH_MS after a record came or USAGE_FLUSH_ROWS at a
 * time; a process that dies loses what it had buffered. `write` records at once, in the caller's
 * transaction when given one (batch items go in their result's own statement: ITEM_USAGE_CTE).
 */
@Injectable()
export class UsageRecorder implements OnModuleDestroy {
  private readonly logger = new Logger(UsageRecorder.name);
  private buffer: UsageRecordInput[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Buffers one record; it is written within USAGE_FLUSH_MS. */
  record(rec: UsageRecordInput): void {
    this.buffer.push(rec);
    if (this.buffer.length >= USAGE_FLUSH_ROWS) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), USAGE_FLUSH_MS).unref();
  }

  /** Writes records now, in one statement (in `manager`'s transaction when given). */
  async write(records: readonly UsageRecordInput[], manager?: EntityManager): Promise<void> {
    if (records.length === 0) return;
    await (manager ?? this.dataSource.manager).query(INSERT_RECORDS_SQL, recordParams(records));
  }

  /** Writes what is buffered (also at shutdown); resolves when it is written or kept for the next try. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.flushing ??= this.flushAll().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  async onModuleDestroy(): Promise<void> {
    await this.flushing;
    await this.flush();
  }

  private async flushAll(): Promise<void> {
    while (this.buffer.length > 0) {
      const rows = this.buffer.splice(0, USAGE_FLUSH_ROWS);
      try {
        await this.write(rows);
      } catch (error) {
        this.keepOrDrop(rows, error);
        return;
      }
    }
  }

  /** Through an outage the rows wait for the next try; a statement Postgres refuses is dropped, logged. */
  private keepOrDrop(rows: UsageRecordInput[], error: unknown): void {
    if (!isDatabaseUnavailable(error)) {
      this.logger.error(`${rows.length} usage records could not be written: ${String(error)}`);
      return;
    }
    this.buffer = [...rows, ...this.buffer];
    const over = this.buffer.length - MAX_BUFFERED;
    if (over > 0) {
      this.buffer.splice(0, over);
      this.logger.error(`Postgres unreachable: ${over} usage records dropped`);
    }
    this.timer ??= setTimeout(() => void this.flush(), USAGE_FLUSH_MS).unref();
  }
}

function recordParams(records: readonly UsageRecordInput[]): unknown[][] {
  const column = <T>(pick: (rec: UsageRecordInput) => T) => records.map(pick);
  return [
    column((r) => r.clientId),
    column((r) => r.batchId),
    column((r) => r.projectId),
    column((r) => r.model),
    column((r) => r.lane),
    column((r) => r.surface),
    column((r) => r.inputTokens),
    column((r) => r.outputTokens),
    column((r) => r.thinkingTokens),
    column((r) => r.cachedTokens),
    column((r) => roundMicros(r.costMicroUsd).toFixed(6)),
  ];
}
