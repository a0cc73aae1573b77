import type { QueueOptions } from 'bullmq';
import type { KeyfleetConfig } from '@keyfleet/config';
import { DEFAULT_JOB_OPTIONS } from './job-defaults';

/** The BullMQ options every queue and worker of a process shares: connection, key prefix, job defaults. */
export function bullOptions(config: KeyfleetConfig): QueueOptions {
  return {
    // BullMQ and its blocking reads need maxRetriesPerRequest: null.
    connection: { url: config.redisUrl, maxRetriesPerRequest: null },
    prefix: config.queuePrefix,
    defaultJobOptions: DEFAULT_JOB_OPTIONS,
  };
}
