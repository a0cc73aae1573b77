import type { LoggerService } from '@nestjs/common';
import type { Clock } from './clock';

/** After a failed read, callers are served from cache without trying Postgres again for this long. */
export const OUTAGE_RETRY_MS = 1_000;

/**
 * What a cache knows of a Postgres outage: when a read last failed (so that callers do not each wait
 * for the next read to fail), and whether it has said so in the log (once per outage, not per read).
 */
export class DatabaseOutage {
  private failedAt: number | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly logger: LoggerService,
    /** What the cache does meanwhile, for the log. */
    private readonly meanwhile: string,
  ) {}

  failed(error: unknown): void {
    if (this.failedAt === null) {
      this.logger.warn(`Postgres unreachable (${(error as Error).message}): ${this.meanwhile}`);
    }
    this.failedAt = this.clock.now();
  }

  ended(): void {
    if (this.failedAt !== null) this.logger.log(`Postgres reachable again`);
    this.failedAt = null;
  }

  /** A read failed within the last OUTAGE_RETRY_MS. */
  recent(now = this.clock.now()): boolean {
    return this.failedAt !== null && now - this.failedAt < OUTAGE_RETRY_MS;
  }
}
