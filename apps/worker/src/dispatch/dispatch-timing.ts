import { DEFAULT_ADMISSION_TIMING, type AdmissionTiming } from '@keyfleet/admission';

/** The worker's waits (admission's own, quotaWaitMs and noCapacityWaitMs, included). Defaults suit production; tests shorten them. */
export interface DispatchTiming extends AdmissionTiming {
  /** First transient retry waits this long; each next one twice as long (with ±20 % jitter). */
  retryBaseMs: number;
  retryMaxMs: number;
  /** Upper bound of a 429 wait for now. */
  quotaWaitMaxMs: number;
  /** How many keys one delivery may switch through after invalid/blocked answers before it waits. */
  maxKeySwitches: number;
  /** A wait for room up to this long is sat out by the job that met it (see BatchItemProcessor); a longer one only rate-limits the queue. */
  holdWaitMaxMs: number;
  /** When every project is full, a delivery books the moment room frees if it is at most this far away, and sends then. */
  bookAheadMs: number;
  /** How long before a booked moment the request is readied (SDK, connection); it is written at the moment. */
  prepareAheadMs: number;
  /** How often the served models are re-read to start/stop per-model workers. */
  modelsRefreshMs: number;
  /** How often the reconciler compares Postgres with the queues. */
  reconcileEveryMs: number;
}

export const DEFAULT_DISPATCH_TIMING: DispatchTiming = {
  ...DEFAULT_ADMISSION_TIMING,
  retryBaseMs: 1000,
  retryMaxMs: 60_000,
  quotaWaitMaxMs: 60_000,
  maxKeySwitches: 10,
  holdWaitMaxMs: 2000,
  bookAheadMs: 2000,
  prepareAheadMs: 300,
  modelsRefreshMs: 5000,
  reconcileEveryMs: 10_000,
};

export const DISPATCH_TIMING = Symbol('DISPATCH_TIMING');

/** Exponential backoff after the n-th used attempt (1-based), with jitter so retries do not line up. */
export function retryDelayMs(
  attemptsUsed: number,
  timing: DispatchTiming,
  random: () => number = Math.random,
): number {
  const exponential = Math.min(timing.retryBaseMs * 2 ** Math.max(attemptsUsed - 1, 0), timing.retryMaxMs);
  return Math.round(exponential * (0.8 + 0.4 * random()));
}
