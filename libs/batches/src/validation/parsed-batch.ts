import type { BatchLane } from '@keyfleet/persistence';
import type { LaneDecision } from '../lanes/lane-choice';

/** One request of a submission, validated. */
export interface BatchItemInput {
  key: string;
  /** A GenerateContentRequest (an object with `contents`). */
  request: Record<string, unknown>;
  /** 1-based position: the NDJSON line number, or the index in `requests` + 1. */
  lineNo: number;
  /** Input tokens estimated (estimateTokens), when already computed; computed at insert otherwise. */
  estTokens?: number;
  /** Size of its JSON text, when known (NDJSON): inserts go in chunks of bounded bytes. */
  bytes?: number;
}

/** How the submission came: it decides how an item is named in errors. */
export type BatchFormat = 'json' | 'ndjson';

/** A submission's batch-level fields, validated before any item is read. */
export interface BatchHeader {
  model: string;
  displayName: string | null;
  /** Orders the client's own batches (higher first); 0 when not given. */
  priority: number;
  /** live when absent. */
  lane?: BatchLane;
  /** When every item should be final; absent or null = none. */
  deadline?: Date | null;
  /** Absent means 'json'. */
  format?: BatchFormat;
}

/**
 * A submission, validated and ready to store. Items may arrive as a stream (NDJSON): each is validated
 * as it is read, and a bad one rejects the whole submission before anything is committed.
 */
export interface ParsedBatch extends BatchHeader {
  items: Iterable<BatchItemInput> | AsyncIterable<BatchItemInput>;
  /** The lane it runs in, decided once every item was read (auto needs the batch's estimated cost). */
  decideLane?: () => LaneDecision;
}

export interface BatchLimits {
  maxBatchItems: number;
}

/** How errors name an item's field: `requests[16].key` (JSON) or `line 17: key` (NDJSON). */
export function itemField(format: BatchFormat | undefined, lineNo: number, field = ''): string {
  if (format === 'ndjson') return field ? `line ${lineNo}: ${field}` : `line ${lineNo}`;
  return field ? `requests[${lineNo - 1}].${field}` : `requests[${lineNo - 1}]`;
}

export const MAX_KEY_LENGTH = 500;
export const MAX_DISPLAY_NAME_LENGTH = 500;

/** Batch priorities: whole numbers in this range, 0 by default. */
export const MIN_BATCH_PRIORITY = -100;
export const MAX_BATCH_PRIORITY = 100;
