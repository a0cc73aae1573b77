import type { UsageLane, UsageSurface } from '@keyfleet/persistence';

export { USAGE_LANES, USAGE_SURFACES, type UsageLane, type UsageSurface } from '@keyfleet/persistence';

/**
 * What one answer used, as Gemini's usageMetadata counts it: `inputTokens` is the whole prompt (cached
 * tokens included), `outputTokens` the answer without thinking, `thinkingTokens` the thoughts.
 */
export interface UsageTokens {
  inputTokens: number;
  outputTokens: number;
  thinkingTokens: number;
  /** The part of `inputTokens` served from a context cache. */
  cachedTokens: number;
}

/** One answered upstream request, to be recorded (UsageRecorder). */
export interface UsageRecordInput extends UsageTokens {
  clientId: string;
  /** The batch of a batch item, null for an interactive call. */
  batchId: string | null;
  /** The pool project that answered it. */
  projectId: string;
  model: string;
  lane: UsageLane;
  surface: UsageSurface;
  /** Micro-dollars at the lane's price (costMicroUsd); at most 6 decimals are kept. */
  costMicroUsd: number;
}

/** A batch item's usage, written by the statement that stores its result (the batch gives client and model). */
export interface ItemUsage extends UsageTokens {
  lane: UsageLane;
  costMicroUsd: number;
}
