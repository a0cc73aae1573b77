import { ErrorCode, KeyfleetError } from '@keyfleet/errors';
import { parseBatchSubmissionBody } from './batch-body';
import type { BatchItemInput, BatchLimits, ParsedBatch } from './parsed-batch';
import { problemOfEntry, validateDisplayName, validateModel, validatePriority } from './validate-fields';

function tooMany(count: number, limits: BatchLimits): KeyfleetError {
  return new KeyfleetError(
    ErrorCode.PayloadTooLarge,
    `batch has ${count} requests; at most ${limits.maxBatchItems} are allowed (KF_MAX_BATCH_ITEMS)`,
  );
}

const emptyBatch = () => KeyfleetError.invalid('requests: a batch needs at least one request');

/** `{ model, displayName?, priority?, requests: [{ key, request }] }`; a bad entry is named `requests[16].key: …`. */
export function parseJsonBatch(body: unknown, limits: BatchLimits): ParsedBatch {
  const { model, displayName, priority, requests } = parseBatchSubmissionBody(body);
  if (requests.length === 0) throw emptyBatch();
  if (requests.length > limits.maxBatchItems) throw tooMany(requests.length, limits);
  const seen = new Set<string>();
  const items = requests.map((entry: unknown, index): BatchItemInput => {
    const problem = problemOfEntry(entry, seen);
    if (problem) {
      const path = problem.field ? `requests[${index}].${problem.field}` : `requests[${index}]`;
      throw KeyfleetError.invalid(`${path}: ${problem.message}`);
    }
    const { key, request } = entry as { key: string; request: Record<string, unknown> };
    return { key, request, lineNo: index + 1 };
  });
  return { model, displayName, priority, items };
}

/**
 * One `{key, request}` per line (blank lines are skipped, but counted, so numbers match the file);
 * the model, display name and priority come from the query. A bad line is named `line 17: …`.
 */
export function parseNdjsonBatch(
  text: string,
  query: { model?: unknown; displayName?: unknown; priority?: unknown },
  limits: BatchLimits,
): ParsedBatch {
  const model = validateModel(query.model);
  const displayName = validateDisplayName(query.displayName);
  const priority = validatePriority(query.priority, true);
  const lines = text.split('\n');
  const count = lines.reduce((n, line) => (line.trim() ? n + 1 : n), 0);
  if (count === 0) throw emptyBatch();
  if (count > limits.maxBatchItems) throw tooMany(count, limits);
  const seen = new Set<string>();
  const items: BatchItemInput[] = [];
  lines.forEach((line, index) => {
    if (!line.trim()) return;
    const lineNo = index + 1;
    let entry: unknown;
    try {
      entry = JSON.parse(line);
    } catch (error) {
      throw KeyfleetError.invalid(`line ${lineNo}: not valid JSON (${(error as Error).message})`);
    }
    const problem = problemOfEntry(entry, seen);
    if (problem)
      throw KeyfleetError.invalid(
        `line ${lineNo}: ${problem.field ? `${problem.field}: ` : ''}${problem.message}`,
      );
    const { key, request } = entry as { key: string; request: Record<string, unknown> };
    items.push({ key, request, lineNo });
  });
  return { model, displayName, priority, items };
}
