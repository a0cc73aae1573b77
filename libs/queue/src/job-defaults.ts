import type { DefaultJobOptions } from 'bullmq';

/**
 * Defaults of every keyfleet job: BullMQ runs a job once (a sweep that fails is simply run at its next
 * tick); completed jobs go at once; a few failed ones stay for inspection.
 */
export const DEFAULT_JOB_OPTIONS: DefaultJobOptions = {
  attempts: 1,
  removeOnComplete: true,
  removeOnFail: 1000,
};
