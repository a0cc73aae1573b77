/** The waits of admission (shared by the worker and the api's interactive routes). Tests shorten them. */
export interface AdmissionTiming {
  /** A 429 without a usable RetryInfo blocks its project+model this long. */
  quotaWaitMs: number;
  /** A 429 with only a Help link (no QuotaFailure, no RetryInfo) blocks its project+model this long. */
  helpOnlyBlockMs: number;
  /** No project/key can serve the model right now: try again after this long. */
  noCapacityWaitMs: number;
  /** How long before a booked moment its request is readied (SDK, connection); it is written at the moment. */
  prepareAheadMs: number;
}

export const DEFAULT_ADMISSION_TIMING: AdmissionTiming = {
  quotaWaitMs: 5000,
  helpOnlyBlockMs: 10_000,
  noCapacityWaitMs: 5000,
  prepareAheadMs: 300,
};

export const ADMISSION_TIMING = Symbol('ADMISSION_TIMING');
