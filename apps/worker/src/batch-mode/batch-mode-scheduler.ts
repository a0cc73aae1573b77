import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { InjectQueue } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { KEYFLEET_CONFIG, type KeyfleetConfig } from '@keyfleet/config';
import { logRedisErrors, QueueName, type BatchModeJob } from '@keyfleet/queue';
import { PeriodicPass } from '../maintenance/periodic-pass';
import { ECONOMY_WORK_SQL } from './batch-mode.sql';

// New economy batches are noticed within this (or the first poll wait, when shorter).
const SCAN_MAX_MS = 5_000;

/**
 * Makes sure every economy batch with Batch Mode work has its BullMQ job (one per batch: its id is the
 * job id, so every worker may add it), and runs a cancelled batch's next round at once. Postgres is
 * the source: after a Redis flush the jobs are added again from it.
 */
@Injectable()
export class BatchModeScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(BatchModeScheduler.name);
  private readonly periodic = new PeriodicPass('Batch Mode scan', () => this.pass(), undefined, this.logger);

  constructor(
    @Inject(KEYFLEET_CONFIG) private readonly config: KeyfleetConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectQueue(QueueName.BatchMode) private readonly queue: Queue<BatchModeJob>,
  ) {
    // Without a listener BullMQ prints its connection's errors raw, outside the JSON logs.
    logRedisErrors(queue, `queue ${QueueName.BatchMode}`);
  }

  onApplicationBootstrap(): void {
    this.periodic.start(Math.min(this.config.batchMode.pollMs, SCAN_MAX_MS), { unref: true });
    void this.periodic.runOnce();
  }

  onModuleDestroy(): Promise<void> {
    return this.periodic.stop();
  }

  private async pass(): Promise<void> {
    const batches: Array<{ id: string; status: string }> = await this.dataSource.query(ECONOMY_WORK_SQL);
    for (const batch of batches) {
      const job = await this.queue.add('advance', { batchId: batch.id }, { jobId: batch.id });
      // A round that failed (Postgres away, say) keeps its job id: run it again.
      if (await job.isFailed()) await job.retry();
      // A cancellation should reach Google now, not after the job's poll wait.
      else if (batch.status === 'cancelled' && (await job.isDelayed())) await job.promote();
    }
  }
}
