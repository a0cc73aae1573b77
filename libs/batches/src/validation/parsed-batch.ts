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
  items: BatchItemInput[];
}

export interface BatchLimits {
  maxBatchItems: number;
}

export const MAX_KEY_LENGTH = 500;
export const MAX_DISPLAY_NAME_LENGTH = 500;
