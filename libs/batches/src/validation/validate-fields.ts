import { KeyfleetError } from '@keyfleet/errors';
import { problemOfText } from './json-text-check';
import { MODEL_NAME_PATTERN, requestKindOf } from '@keyfleet/queue';
import {
  MAX_BATCH_PRIORITY,
  MAX_DISPLAY_NAME_LENGTH,
  MAX_KEY_LENGTH,
  MIN_BATCH_PRIORITY,
} from './parsed-batch';

/** `models/gemini-2.5-flash` and `gemini-2.5-flash` name the same model. */
export function validateModel(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) throw KeyfleetError.invalid('model: is required');
  const model = value.replace(/^models\//, '');
  if (model.length > 100 || !MODEL_NAME_PATTERN.test(model)) {
    throw KeyfleetError.invalid(
      `model: "${model.slice(0, 100)}" is not a model name (like gemini-2.5-flash)`,
    );
  }
  return model;
}

export function validateDisplayName(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw KeyfleetError.invalid('displayName: must be a string');
  if (value.length > MAX_DISPLAY_NAME_LENGTH) {
    throw KeyfleetError.invalid(`displayName: must be at most ${MAX_DISPLAY_NAME_LENGTH} characters`);
  }
  const problem = problemOfText(value, false);
  if (problem) throw KeyfleetError.invalid(`displayName: ${problem}`);
  return value;
}

/**
 * A whole number from -100 to 100, 0 when absent: a JSON number in the body, or its digits in the
 * NDJSON upload's query (`fromQuery`).
 */
export function validatePriority(value: unknown, fromQuery = false): number {
  if (value === undefined || value === null || (fromQuery && value === '')) return 0;
  const priority = fromQuery && typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
  if (
    typeof priority !== 'number' ||
    !Number.isInteger(priority) ||
    priority < MIN_BATCH_PRIORITY ||
    priority > MAX_BATCH_PRIORITY
  ) {
    throw KeyfleetError.invalid(
      `priority: must be a whole number from ${MIN_BATCH_PRIORITY} to ${MAX_BATCH_PRIORITY} (higher goes first)`,
    );
  }
  return priority;
}

// Keys name results in files and logs: no control characters (C0, DEL, C1), which also keeps NULs out.
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;

type Problem = { field: string; message: string } | null;

/**
 * Returns the problem with one `{key, request}` entry of a batch of `model`, or null; `seen`, when
 * given, holds the keys so far (without it, duplicates are left to the store's unique index).
 */
export function problemOfEntry(entry: unknown, model: string, seen?: Set<string>): Problem {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    return { field: '', message: 'must be an object {"key": …, "request": …}' };
  }
  const { key, request } = entry as Record<string, unknown>;
  if (typeof key !== 'string' || key.length === 0)
    return { field: 'key', message: 'must be a non-empty string' };
  if (key.length > MAX_KEY_LENGTH)
    return { field: 'key', message: `must be at most ${MAX_KEY_LENGTH} characters` };
  if (CONTROL_CHARACTER.test(key))
    return { field: 'key', message: 'must not contain control characters (U+0000–U+001F, U+007F–U+009F)' };
  if (seen?.has(key)) return { field: 'key', message: `duplicate key "${key.slice(0, 100)}"` };
  const requestProblem =
    requestKindOf(model) === 'embed' ? problemOfEmbedRequest(request, model) : problemOfRequest(request);
  if (requestProblem) return requestProblem;
  seen?.add(key);
  return null;
}

function problemOfRequest(request: unknown): Problem {
  if (typeof request !== 'object' || request === null || Array.isArray(request)) {
    return { field: 'request', message: 'must be a GenerateContentRequest object' };
  }
  const contents = (request as Record<string, unknown>)['contents'];
  if (!Array.isArray(contents) || contents.length === 0) {
    return { field: 'request.contents', message: 'must be a non-empty array of Content objects' };
  }
  const bad = contents.findIndex(
    (content) =>
      typeof content !== 'object' ||
      content === null ||
      !Array.isArray((content as Record<string, unknown>)['parts']),
  );
  if (bad >= 0)
    return { field: `request.contents[${bad}].parts`, message: 'must be an array of Part objects' };
  return null;
}

/** An embedding model's item: one EmbedContentRequest (`{content, taskType?, title?, outputDimensionality?}`). */
function problemOfEmbedRequest(request: unknown, model: string): Problem {
  if (typeof request !== 'object' || request === null || Array.isArray(request)) {
    return {
      field: 'request',
      message: `must be an EmbedContentRequest object (${model} is an embedding model)`,
    };
  }
  const { content, model: named } = request as Record<string, unknown>;
  if (named !== undefined && named !== `models/${model}`)
    return { field: 'request.model', message: `must be models/${model}, the batch's model, or absent` };
  if (typeof content !== 'object' || content === null || Array.isArray(content)) {
    return {
      field: 'request.content',
      message: `must be one Content object (${model} is an embedding model: items are EmbedContentRequests)`,
    };
  }
  if (!Array.isArray((content as Record<string, unknown>)['parts']))
    return { field: 'request.content.parts', message: 'must be an array of Part objects' };
  return null;
}
