import { InjectQueue } from '@nestjs/bullmq';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { KEYFLEET_CONFIG, type KeyfleetConfig } from '@keyfleet/config';
import { logRedisErrors, QueueName, REDIS_CLIENT, type RotationSweepJob } from '@keyfleet/queue';
import { rotationChannel } from '@keyfleet/registry';

export const ROTATE_NOW_JOB = 'rotate-now';

/**
 * Turns "a key needs replacing" (published by the worker or the api) and "a drain ends at T" into one-off
 * jobs on the rotation queue, so one rotator acts at once instead of at the next sweep. Job ids are per
 * second (or per wake time), so rotators that all hear the same message add one job.
 */
@Injectable()
export class RotationTrigger implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RotationTrigger.name);
  private subscriber?: Redis;

  constructor(
    @InjectQueue(QueueName.RotationSweep) private readonly queue: Queue<RotationSweepJob>,
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    @Inject(KEYFLEET_CONFIG) private readonly config: KeyfleetConfig,
  ) {
    logRedisErrors(queue, `queue ${queue.name}`);
  }

  async onApplicationBootstrap(): Promise<void> {
    const subscriber = logRedisErrors(this.redis.duplicate(), 'rotation-request subscriber');
    this.subscriber = subscriber;
    subscriber.on('message', () => void this.rotateNow());
    await subscriber.subscribe(rotationChannel(this.config.queuePrefix));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscriber?.quit().catch(() => this.subscriber?.disconnect());
  }

  async rotateNow(): Promise<void> {
    await this.add(`now-${Math.floor(Date.now() / 1000)}`, 0);
  }

  /** A run at `at` (the end of a drain, a retry), unless the next sweep comes first anyway. */
  async wakeAt(at: Date | null): Promise<void> {
    if (!at) return;
    const delay = Math.max(0, at.getTime() - Date.now());
    if (delay >= this.config.rotation.sweepSeconds * 1000) return;
    await this.add(`wake-${at.getTime()}`, delay);
  }

  private async add(jobId: string, delay: number): Promise<void> {
    await this.queue
      .add(ROTATE_NOW_JOB, {}, { jobId, delay, removeOnComplete: true, removeOnFail: 100 })
      .catch((error: Error) => this.logger.warn(`could not queue a rotation run: ${error.message}`));
  }
}
