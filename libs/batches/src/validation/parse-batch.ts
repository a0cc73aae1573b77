import { isUtf8 } from 'node:buffer';
import { ErrorCode, KeyfleetError } from '@keyfleet/errors';
import { parseBatchSubmissionBody } from './batch-body';
import { MAX_JSON_DEPTH, problemOfJsonText } from './json-text-check';
import { ndjsonLines } from './ndjson-lines';
import type { BatchHeader, BatchItemInput, BatchLimits, ParsedBatch } from './parsed-batch';
import { validateDeadline, validateLane } from './lane-fields';
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
  const { model, displayName, priority, lane, deadline, requests } = parseBatchSubmissionBody(body);
  if (requests.length === 0) throw emptyBatch();
  if (requests.length > limits.maxBatchItems) throw tooMany(requests.length, limits);
  const seen = new Set<string>();
  const items = requests.map((entry: unknown, index): BatchItemInput => {
    const problem = problemOfEntry(entry, model, seen);
    if (problem) {
      const path = problem.field ? `requests[${index}].${problem.field}` : `requests[${index}]`;
      throw KeyfleetError.invalid(`${path}: ${problem.message}`);
    }
    const { key, request } = entry as { key: string; request: Record<string, unknown> };
    return { key, request, lineNo: index + 1 };
  });
  return { model, displayName, priority, lane, deadline, format: 'json', items };
}

/** The batch-level fields of an NDJSON upload, from its query: checked before a byte of the body is read. */
export function parseNdjsonHeader(query: {
  model?: unknown;
  displayName?: unknown;
  priority?: unknown;
  lane?: unknown;
  deadline?: unknown;
}): BatchHeader {
  return {
    model: validateModel(query.model),
    displayName: validateDisplayName(query.displayName),
    priority: validatePriority(query.priority, true),
    lane: validateLane(query.lane),
    deadline: validateDeadline(query.deadline),
    format: 'ndjson',
  };
}

/**
 * The items of an NDJSON upload of a batch of `model`, one `{key, request}` a line, validated as they stream in (blank lines
 * are skipped, but counted, so numbers match the file). A bad line is named `line 17: …`; more than
 * `maxBatchItems` is a 413 as soon as the next one arrives. Duplicate keys are found where they are
 * stored (a unique index), so no key has to be kept in memory.
 */
export async function* ndjsonItems(
  bytes: AsyncIterable<Buffer> | Iterable<Buffer>,
  limits: BatchLimits & { maxLineBytes: number },
  model: string,
): AsyncGenerator<BatchItemInput> {
  let count = 0;
  for await (const { lineNo, line } of ndjsonLines(bytes, limits.maxLineBytes)) {
    const item = parseNdjsonLine(line, lineNo, model);
    if (!item) continue;
    if (++count > limits.maxBatchItems) {
      throw new KeyfleetError(
        ErrorCode.PayloadTooLarge,
        `line ${lineNo}: batch has more than ${limits.maxBatchItems} requests; at most ${limits.maxBatchItems} are allowed (KF_MAX_BATCH_ITEMS)`,
      );
    }
    yield item;
  }
  if (count === 0) throw emptyBatch();
}

/** One NDJSON line (its UTF-8 bytes) as an item; null for a blank line. */
export function parseNdjsonLine(line: Buffer, lineNo: number, model: string): BatchItemInput | null {
  if (isBlank(line)) return null;
  const at = (message: string) => KeyfleetError.invalid(`line ${lineNo}: ${message}`);
  if (!isUtf8(line)) throw at('not valid UTF-8');
  const problem = problemOfJsonText(line, { maxDepth: MAX_JSON_DEPTH, allowNul: false });
  if (problem) throw at(problem.path ? `${problem.path}: ${problem.message}` : problem.message);
  let entry: unknown;
  try {
    entry = JSON.parse(line.toString('utf8'));
  } catch (error) {
    throw at(`not valid JSON (${(error as Error).message})`);
  }
  const entryProblem = problemOfEntry(entry, model);
  if (entryProblem) throw at(`${entryProblem.field ? `${entryProblem.field}: ` : ''}${entryProblem.message}`);
  const { key, request } = entry as { key: string; request: Record<string, unknown> };
  return { key, request, lineNo, bytes: line.length };
}

function isBlank(line: Buffer): boolean {
  for (const byte of line) if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0d) return false;
  return true;
}
