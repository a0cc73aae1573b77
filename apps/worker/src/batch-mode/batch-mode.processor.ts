import { Inject } from '@nestjs/common';
import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { DelayedError, type Job } from 'bullmq';
import { KEYFLEET_CONFIG, type KeyfleetConfig } from '@keyfleet/config';
import { QueueName, redisErrorReporter, type BatchModeJob } from '@keyfleet/queue';
import { BatchModeLane } from './batch-mode-lane';

/**
 * Runs economy batches' rounds (BatchModeLane.advance). Between rounds the BullMQ job waits delayed: the
 * first wait is KF_BATCH_MODE_POLL_MS, each round that changed nothing waits 1.5 times longer (up to
 * KF_BATCH_MODE_POLL_MAX_MS). A worker that dies mid-round loses its lock; another takes the job over.
 */
@Processor(QueueName.BatchMode, { concurrency: 4, lockDuration: 10_000, stalledInterval: 5_000 })
export class BatchModeProcessor extends WorkerHost {
  private readonly reportError = redisErrorReporter(`worker ${QueueName.BatchMode}`);

  constructor(
    @Inject(KEYFLEET_CONFIG) private readonly config: KeyfleetConfig,
    private readonly lane: BatchModeLane,
  ) {
    super();
  }

  @OnWorkerEvent('error')
  onError(error: Error): void {
    this.reportError(error);
  }

  async process(job: Job<BatchModeJob>, token?: string): Promise<void> {
    const progress = await this.lane.advance(job.data.batchId);
    if (progress === 'done') return;
    const { pollMs, pollMaxMs } = this.config.batchMode;
    const delayMs =
      progress === 'changed' ? pollMs : Math.min(pollMaxMs, Math.round((job.data.delayMs ?? pollMs) * 1.5));
    await job.updateData({ ...job.data, delayMs });
    await job.moveToDelayed(Date.now() + delayMs, token);
    throw new DelayedError();
  }
}
