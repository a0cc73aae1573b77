import { Inject, Injectable, Logger, Optional, type OnModuleDestroy } from '@nestjs/common';
import { isDatabaseUnavailable } from '@keyfleet/errors';
import { PoolService } from '../pool/pool.service';
import { CLOCK, systemClock, type Clock } from '../shared/clock';
import { UpstreamKeysService } from './upstream-keys.service';

/** How often keys taken out of service during an outage are tried again in Postgres. */
export const RETIREMENT_RETRY_MS = 2_000;

interface Pending {
  reason: string;
  actor: string;
}

/**
 * Takes a key out of service (UpstreamKeysService.takeOutOfService) even while Postgres is unreachable:
 * the pool stops offering the key at once, and the write (status, audit, rotation request) is retried
 * until Postgres takes it. An interactive call that found a dead key then still gets its answer from
 * another key, and nothing of what it learnt is lost.
 */
@Injectable()
export class KeyRetirements implements OnModuleDestroy {
  private readonly logger = new Logger(KeyRetirements.name);
  private readonly pending = new Map<string, Pending>();
  private stopTimer: (() => void) | undefined;
  private retrying = false;

  constructor(
    private readonly keys: UpstreamKeysService,
    private readonly pool: PoolService,
    @Optional() @Inject(CLOCK) private readonly clock: Clock = systemClock,
  ) {}

  async takeOutOfService(keyId: string, reason: string, actor: string): Promise<void> {
    try {
      await this.keys.takeOutOfService(keyId, reason, actor);
    } catch (error) {
      if (!isDatabaseUnavailable(error)) throw error;
      this.pool.withhold(keyId);
      this.pending.set(keyId, { reason, actor });
      this.logger.warn(
        `key ${keyId} out of service; Postgres is unreachable, the change is written once it is back`,
      );
      this.stopTimer ??= this.clock.every(RETIREMENT_RETRY_MS, () => void this.retry());
    }
  }

  /** Keys taken out of service whose change Postgres has not taken yet. */
  get waiting(): number {
    return this.pending.size;
  }

  /** Tries every waiting change once (the timer does this every RETIREMENT_RETRY_MS). */
  async retry(): Promise<void> {
    if (this.retrying) return;
    this.retrying = true;
    try {
      for (const [keyId, { reason, actor }] of this.pending) {
        try {
          await this.keys.takeOutOfService(keyId, reason, actor);
        } catch (error) {
          if (isDatabaseUnavailable(error)) return; // still down: all wait for the next round
          this.logger.error(`taking key ${keyId} out of service failed: ${(error as Error).message}`);
        }
        this.pending.delete(keyId);
        this.pool.release(keyId);
      }
      this.stopTimer?.();
      this.stopTimer = undefined;
    } finally {
      this.retrying = false;
    }
  }

  onModuleDestroy(): void {
    this.stopTimer?.();
  }
}
