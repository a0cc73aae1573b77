import { DEFAULT_ADMISSION_TIMING, type AdmissionTiming } from '@keyfleet/admission';

/** The worker's waits (admission's own included). Defaults suit production; tests shorten them. */
export interface DispatchTiming extends AdmissionTiming {
  /** First transient retry waits this long; each next one twice as long (with ±20 % jitter). */
  retryBaseMs: number;
  retryMaxMs: number;
  /** A wait for room up to this long is sat out by the item that met it; a longer one sends it back to waiting. */
  holdWaitMaxMs: number;
  /** When every project is full, an item books the moment room frees if it is at most this far away, and sends then. */
  bookAheadMs: number;
  /** With nothing to take, a dispatcher looks again after this long (new work wakes it at once). */
  idleCheckMs: number;
  /** Items taken at most per round (a round takes what the quota has room for, up to this). */
  maxTurnsPerRound: number;
  /**
   * Items taken and not yet written, at most: the ceiling of the limit that follows how fast this process
   * writes (WriteQueueLimit), so that a request leaves within its send window of being admitted even when a
   * burst of thousands is admitted.
   */
  maxUnwritten: number;
  /** How often the served models are re-read (a registry change on any process triggers it at once). */
  modelsRefreshMs: number;
  /** How often the reconciler makes sure the scheduler knows every batch with waiting items. */
  reconcileEveryMs: number;
  /** How often raw usage records are rolled up per hour and old ones pruned (UsageRollupJob). */
  usageRollupEveryMs: number;
  /** A worker's lease on the items it runs: renewed this often, and lasting `leaseMs`. */
  leaseRenewMs: number;
  leaseMs: number;
  /** How often a worker looks for items of dead workers (whose lease ran out). */
  recoverEveryMs: number;
  /** On shutdown, how long in-flight items may take to finish before they are handed back. */
  drainMs: number;
}

export const DEFAULT_DISPATCH_TIMING: DispatchTiming = {
  ...DEFAULT_ADMISSION_TIMING,
  retryBaseMs: 1000,
  retryMaxMs: 60_000,
  holdWaitMaxMs: 2000,
  bookAheadMs: 2000,
  idleCheckMs: 3000,
  maxTurnsPerRound: 1000,
  maxUnwritten: 500,
  modelsRefreshMs: 5000,
  reconcileEveryMs: 5000,
  usageRollupEveryMs: 60_000,
  leaseRenewMs: 1000,
  leaseMs: 5000,
  recoverEveryMs: 1000,
  drainMs: 30_000,
};

export const DISPATCH_TIMING = Symbol('DISPATCH_TIMING');

/** Exponential backoff after the n-th used attempt (1-based), with jitter so retries do not line up. */
export function retryDelayMs(
  attemptsUsed: number,
  timing: Pick<DispatchTiming, 'retryBaseMs' | 'retryMaxMs'>,
  random: () => number = Math.random,
): number {
  const exponential = Math.min(timing.retryBaseMs * 2 ** Math.max(attemptsUsed - 1, 0), timing.retryMaxMs);
  return Math.round(exponential * (0.8 + 0.4 * random()));
}
