import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import type { Job } from 'bullmq';
import { QueueName, type RotationSweepJob } from '@keyfleet/queue';
import { OverdueKeys } from './overdue-keys';

/** Runs one sweep per scheduled job; BullMQ's job scheduler makes sure only one runs at a time. */
@Processor(QueueName.RotationSweep, { concurrency: 1 })
export class RotationSweepProcessor extends WorkerHost {
  private readonly logger = new Logger(RotationSweepProcessor.name);

  constructor(private readonly overdueKeys: OverdueKeys) {
    super();
  }

  async process(_job: Job<RotationSweepJob>): Promise<{ overdue: number; newlyFlagged: number }> {
    const result = await this.overdueKeys.sweep();
    if (result.newlyFlagged.length)
      this.logger.warn(`${result.newlyFlagged.length} upstream key(s) newly overdue for rotation`);
    return { overdue: result.overdue, newlyFlagged: result.newlyFlagged.length };
  }
}
