import { randomUUID } from 'node:crypto';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import type { Redis } from 'ioredis';
import { KEYFLEET_CONFIG, type KeyfleetConfig } from '@keyfleet/config';
import { KeyfleetMetrics } from '@keyfleet/observability';
import { OpenItemsQueries, type OpenItem } from '@keyfleet/batches';
import { DispatchQueues, REDIS_CLIENT } from '@keyfleet/queue';
import { DISPATCH_TIMING, type DispatchTiming } from '../dispatch/dispatch-timing';

const PAGE_SIZE = 1000;

export interface ReconcileReport {
  /** Open items no queue held, enqueued again. */
  enqueued: number;
  /** Open items whose job had failed in BullMQ (e.g. Postgres was down), enqueued again. */
  retried: number;
}

/**
 * Postgres is the truth, Redis can be rebuilt from it: every item that Postgres holds as pending or
 * running must have a job. Runs at start and every few seconds; one worker process at a time (a Redis
 * lock). Per batch, per keyset page of 1000 open items, one pipelined round trip asks Redis which jobs
 * exist (EXISTS on the job hash, ZSCORE in `failed`), so a pass costs O(open items) cheap commands.
 *
 * No lease on `running` is needed: a running item's job is `active`, and BullMQ's stalled-job check
 * (the worker's lock expires) puts it back in `wait` if its worker died — or into `failed` after too
 * many stalls, which this pass retries. A running item with no job at all (Redis lost) is enqueued
 * again; its next claim re-runs it. Final items are never enqueued: the claim would drop them anyway.
 */
@Injectable()
export class Reconciler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(Reconciler.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<ReconcileReport | null> | undefined;

  constructor(
    @Inject(KEYFLEET_CONFIG) private readonly config: KeyfleetConfig,
    @Inject(DISPATCH_TIMING) private readonly timing: DispatchTiming,
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    private readonly queries: OpenItemsQueries,
    private readonly queues: DispatchQueues,
    private readonly metrics: KeyfleetMetrics,
  ) {}

  onApplicationBootstrap(): void {
    void this.runOnce();
    this.timer = setInterval(() => void this.runOnce(), this.timing.reconcileEveryMs);
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One guarded pass; null when another process holds the lock or a pass is already running here. */
  runOnce(): Promise<ReconcileReport | null> {
    this.running ??= this.lockedPass()
      .catch((error: unknown) => {
        this.logger.warn(`reconcile pass failed: ${String(error)}`);
        return null;
      })
      .finally(() => (this.running = undefined));
    return this.running;
  }

  /** A full pass without the lock (tests call it directly). */
  async reconcile(): Promise<ReconcileReport> {
    const report: ReconcileReport = { enqueued: 0, retried: 0 };
    for (const batch of await this.queries.openBatches()) {
      let afterLine = 0;
      for (;;) {
        const items = await this.queries.openItems(batch.id, afterLine, PAGE_SIZE);
        if (items.length === 0) break;
        await this.repairPage(batch.id, batch.model, items, report);
        if (items.length < PAGE_SIZE) break;
        afterLine = items[items.length - 1].lineNo;
      }
    }
    if (report.enqueued + report.retried > 0)
      this.logger.log(`re-enqueued ${report.enqueued} missing and ${report.retried} failed jobs`);
    return report;
  }

  private async lockedPass(): Promise<ReconcileReport | null> {
    const lockKey = `${this.config.queuePrefix}:reconciler:lock`;
    const token = randomUUID();
    const locked = await this.redis.set(lockKey, token, 'PX', this.timing.reconcileEveryMs, 'NX');
    if (!locked) return null;
    try {
      return await this.reconcile();
    } finally {
      // Release only our own lock.
      await this.redis.eval(
        `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`,
        1,
        lockKey,
        token,
      );
    }
  }

  private async repairPage(
    batchId: string,
    model: string,
    items: OpenItem[],
    report: ReconcileReport,
  ): Promise<void> {
    const queue = this.queues.forModel(model);
    const pipeline = this.redis.pipeline();
    for (const item of items) {
      pipeline.exists(queue.toKey(item.id));
      pipeline.zscore(queue.toKey('failed'), item.id);
    }
    const replies = (await pipeline.exec()) ?? [];
    const missing: string[] = [];
    const failed: string[] = [];
    items.forEach((item, index) => {
      const exists = replies[index * 2]?.[1] === 1;
      const inFailed = replies[index * 2 + 1]?.[1] !== null;
      if (!exists) missing.push(item.id);
      else if (inFailed) failed.push(item.id);
    });
    if (failed.length > 0) await this.queues.remove(model, failed);
    const again = [...missing, ...failed];
    if (again.length === 0) return;
    await this.queues.enqueue(again.map((itemId) => ({ itemId, batchId, model })));
    report.enqueued += missing.length;
    report.retried += failed.length;
    this.metrics.reconcilerRepaired('missing', missing.length);
    this.metrics.reconcilerRepaired('failed', failed.length);
  }
}
