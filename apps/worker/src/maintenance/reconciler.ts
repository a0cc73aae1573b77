import { randomUUID } from 'node:crypto';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import type { Redis } from 'ioredis';
import { OpenItemsQueries } from '@keyfleet/batches';
import { KEYFLEET_CONFIG, type KeyfleetConfig } from '@keyfleet/config';
import { DispatchSignals, FairShare } from '@keyfleet/fair-share';
import { REDIS_CLIENT } from '@keyfleet/queue';
import { DISPATCH_TIMING, type DispatchTiming } from '../dispatch/dispatch-timing';
import { PeriodicPass } from './periodic-pass';

export interface ReconcileReport {
  /** Batches with waiting items, each (re)announced to the scheduler. */
  batches: number;
}

// Announcements sent together (one pipelined write each).
const CHUNK = 500;
const RENEW_LUA = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;
const RELEASE_LUA = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/**
 * Postgres is the truth, Redis can be rebuilt from it: every batch that Postgres holds with waiting items
 * must take part in its model's turns. Announcing one is idempotent, so a pass simply announces them all
 * (with their client's current weight): after a Redis flush or restart, or a submission whose
 * announcement failed, the batch gets turns again within a pass. A pass costs one query and one Redis
 * script per open batch, however many items wait. One process at a time (a Redis lock, renewed for as
 * long as a pass takes).
 */
@Injectable()
export class Reconciler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(Reconciler.name);
  private readonly periodic = new PeriodicPass<ReconcileReport | null>(
    'reconcile pass',
    () => this.lockedPass(),
    null,
    this.logger,
  );

  constructor(
    @Inject(KEYFLEET_CONFIG) private readonly config: KeyfleetConfig,
    @Inject(DISPATCH_TIMING) private readonly timing: DispatchTiming,
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    private readonly queries: OpenItemsQueries,
    private readonly fairShare: FairShare,
    private readonly signals: DispatchSignals,
  ) {}

  onApplicationBootstrap(): void {
    void this.runOnce();
    this.periodic.start(this.timing.reconcileEveryMs);
  }

  onModuleDestroy(): Promise<void> {
    return this.periodic.stop();
  }

  /** One guarded pass; null when another process holds the lock or a pass is already running here. */
  runOnce(): Promise<ReconcileReport | null> {
    return this.periodic.runOnce();
  }

  /** A full pass without the lock (tests call it directly). */
  async reconcile(): Promise<ReconcileReport> {
    const open = await this.queries.openBatches();
    for (let start = 0; start < open.length; start += CHUNK)
      await Promise.all(
        open.slice(start, start + CHUNK).map((batch) => this.fairShare.activate(batch.model, batch)),
      );
    for (const model of new Set(open.map((batch) => batch.model))) this.signals.wake(model);
    return { batches: open.length };
  }

  private async lockedPass(): Promise<ReconcileReport | null> {
    const lockKey = `${this.config.queuePrefix}:reconciler:lock`;
    const token = randomUUID();
    const ttlMs = this.timing.reconcileEveryMs;
    if (!(await this.redis.set(lockKey, token, 'PX', ttlMs, 'NX'))) return null;
    // Kept for the whole pass, however long it takes.
    const renewal = setInterval(() => {
      this.redis.eval(RENEW_LUA, 1, lockKey, token, ttlMs).catch(() => undefined);
    }, ttlMs / 3);
    try {
      return await this.reconcile();
    } finally {
      clearInterval(renewal);
      await this.redis.eval(RELEASE_LUA, 1, lockKey, token);
    }
  }
}
