/** One request of a submission, validated. */
export interface BatchItemInput {
  key: string;
  /** A GenerateContentRequest (an object with `contents`). */
  request: Record<string, unknown>;
  /** 1-based position: the NDJSON line number, or the index in `requests` + 1. */
  lineNo: number;
}

/** A submission, validated and ready to store. */
export interface ParsedBatch {
  model: string;
  displayName: string | null;
  /** Orders the client's own batches (higher first); 0 when not given. */
  priority: number;
  items: BatchItemInput[];
}

export interface BatchLimits {
  maxBatchItems: number;
}

export const MAX_KEY_LENGTH = 500;
export const MAX_DISPLAY_NAME_LENGTH = 500;

/** Batch priorities: whole numbers in this range, 0 by default. */
export const MIN_BATCH_PRIORITY = -100;
export const MAX_BATCH_PRIORITY = 100;
