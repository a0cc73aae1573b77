import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { QueueName, redisErrorReporter, type RotationSweepJob } from '@keyfleet/queue';
import { ROTATE_NOW_JOB } from '../rotation/rotation-trigger';
import { RotationSweep, type SweepResult } from './rotation-sweep';

/**
 * One job at a time per rotator: the scheduled `sweep` (one at a time across rotators, a job scheduler)
 * and one-off `rotate-now` runs (a replacement was requested, a drain ends).
 */
@Processor(QueueName.RotationSweep, { concurrency: 1 })
export class RotationSweepProcessor extends WorkerHost {
  private readonly reportError = redisErrorReporter(`worker ${QueueName.RotationSweep}`);

  constructor(private readonly rotationSweep: RotationSweep) {
    super();
  }

  /** The worker's connection errors go to the JSON log (BullMQ prints them raw to stderr otherwise). */
  @OnWorkerEvent('error')
  onError(error: Error): void {
    this.reportError(error);
  }

  process(job: Job<RotationSweepJob>): Promise<SweepResult> {
    return this.rotationSweep.sweep(job.name !== ROTATE_NOW_JOB);
  }
}
