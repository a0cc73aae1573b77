import { Inject, Injectable } from '@nestjs/common';
import type { Cluster, Redis } from 'ioredis';
import { KEYFLEET_CONFIG, type KeyfleetConfig } from '@keyfleet/config';
import { REDIS_CLIENT } from '@keyfleet/queue';

// Activity is written at most this often per model and process, and read at most this often.
const REFRESH_MS = 1000;

/**
 * The share of each project's capacity kept for interactive calls (KF_INTERACTIVE_SHARE). It is kept
 * while a model has seen interactive calls within KF_INTERACTIVE_RESERVE_MS (0: always), so that a
 * pool with no interactive traffic gives batches all of its room. The mark lives in Redis: a worker
 * sees calls made on any api process.
 */
@Injectable()
export class InteractiveReserve {
  private readonly share: number;
  private readonly reserveMs: number;
  private readonly prefix: string;
  private readonly marked = new Map<string, number>();
  private readonly seen = new Map<string, { readAt: number; active: boolean }>();

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis | Cluster,
    @Inject(KEYFLEET_CONFIG) config: KeyfleetConfig,
  ) {
    this.share = config.interactive.share;
    this.reserveMs = config.interactive.reserveMs;
    this.prefix = config.queuePrefix;
  }

  /** An interactive call for `model`: its share stays kept for the next KF_INTERACTIVE_RESERVE_MS. */
  async touch(model: string): Promise<void> {
    if (this.share === 0 || this.reserveMs === 0) return;
    const now = Date.now();
    if (now - (this.marked.get(model) ?? -Infinity) < REFRESH_MS) return;
    this.marked.set(model, now);
    await this.redis.set(this.key(model), String(now), 'PX', this.reserveMs);
  }

  /** The fraction of each limit a batch admission for `model` may fill now. */
  async batchShare(model: string): Promise<number> {
    if (this.share === 0) return 1;
    if (this.reserveMs === 0) return 1 - this.share;
    return (await this.active(model)) ? 1 - this.share : 1;
  }

  private async active(model: string): Promise<boolean> {
    const now = Date.now();
    const cached = this.seen.get(model);
    if (cached && now - cached.readAt < REFRESH_MS) return cached.active;
    const active = (await this.redis.exists(this.key(model))) === 1;
    this.seen.set(model, { readAt: now, active });
    return active;
  }

  private key(model: string): string {
    return `${this.prefix}:interactive:${model}`;
  }
}
