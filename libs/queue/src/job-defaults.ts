import type { DefaultJobOptions } from 'bullmq';

/**
 * Defaults of every keyfleet job. Retries are ours, not BullMQ's: an item's attempts live in Postgres
 * (a quota wait must not use one up), so BullMQ runs a job once and we move it to `delayed` ourselves.
 * Completed jobs go at once (Postgres holds the result); a few failed ones stay for inspection.
 */
export const DEFAULT_JOB_OPTIONS: DefaultJobOptions = {
  attempts: 1,
  removeOnComplete: true,
  removeOnFail: 1000,
};

/** How many jobs go to Redis in one addBulk call. */
export const ENQUEUE_CHUNK_SIZE = 1000;
