/**
 * Every BullMQ queue keyfleet uses and the payload of its jobs, in one place. (Batch items are not
 * BullMQ jobs: Postgres holds the backlog and libs/fair-share hands out turns; see the README.)
 */
export enum QueueName {
  /** The rotator's periodic sweep over upstream keys (a job scheduler: one sweep at a time across rotators). */
  RotationSweep = 'rotation-sweep',
  /**
   * Economy batches through Google's Batch Mode: one job per batch (its id), run in rounds (submit,
   * poll, merge) and delayed between them; Postgres holds the Google jobs, so any worker resumes.
   */
  BatchMode = 'batch-mode',
}

/** The sweep carries no data: it reads everything it needs from Postgres. */
export type RotationSweepJob = Record<string, never>;

/** The economy batch to advance, and the wait before its next round (grows while nothing changes). */
export interface BatchModeJob {
  batchId: string;
  delayMs?: number;
}

/** Model names as Google spells them; safe as part of a Redis key. */
export const MODEL_NAME_PATTERN = /^[a-z0-9][a-z0-9.-]*$/;

/**
 * Google's embedding models (gemini-embedding-001, text-embedding-004, …) all say so in their name;
 * their batch items are EmbedContentRequests, every other model's are GenerateContentRequests.
 */
export type RequestKind = 'generate' | 'embed';
export const requestKindOf = (model: string): RequestKind => (/embedding/.test(model) ? 'embed' : 'generate');
