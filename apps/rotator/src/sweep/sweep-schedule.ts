import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { KEYFLEET_CONFIG, type KeyfleetConfig } from '@keyfleet/config';
import { QueueName, type RotationSweepJob } from '@keyfleet/queue';

export const SWEEP_SCHEDULER_ID = 'rotation-sweep';

/** Registers (idempotently) the repeating sweep; any number of rotators share the one scheduler. */
@Injectable()
export class SweepSchedule implements OnApplicationBootstrap {
  constructor(
    @InjectQueue(QueueName.RotationSweep) private readonly queue: Queue<RotationSweepJob>,
    @Inject(KEYFLEET_CONFIG) private readonly config: KeyfleetConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.queue.upsertJobScheduler(
      SWEEP_SCHEDULER_ID,
      { every: this.config.rotation.sweepSeconds * 1000 },
      { name: 'sweep', data: {}, opts: { removeOnComplete: 100, removeOnFail: 100 } },
    );
  }
}
