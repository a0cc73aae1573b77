// One request on the Gemini surface, as the routes see it.
import type { IncomingMessage } from 'node:http';
import { invalidArgumentBody, type GoogleErrorBody } from '../errors/google-error-bodies';
import type { Reply } from '../http/reply';
import { parseJsonObject } from '../http/request-io';
import type { GenerateContentRequest } from '../tokens';

export interface ApiCall {
  req: IncomingMessage;
  reply: Reply;
  url: URL;
  /** "v1beta" or "v1". */
  apiVersion: string;
  key: string | undefined;
  peerIp: string;
  body: string;
}

const INVALID_JSON = 'Invalid JSON payload received. Unexpected token.';

/** A GenerateContentRequest with a non-empty `contents`, or Google's 400 body. */
export function parseGenerateRequest(body: string): GenerateContentRequest | GoogleErrorBody {
  const request = parseJsonObject(body);
  if (!request) return invalidArgumentBody(INVALID_JSON);
  return validateGenerateRequest(request, 'GenerateContentRequest');
}

export function validateGenerateRequest(
  request: Record<string, unknown>,
  label: string,
): GenerateContentRequest | GoogleErrorBody {
  const { contents } = request;
  if (contents === undefined || (Array.isArray(contents) && contents.length === 0)) {
    return invalidArgumentBody(`* ${label}.contents: contents is not specified\n`);
  }
  if (!Array.isArray(contents) || contents.some((c) => typeof c !== 'object' || c === null)) {
    return invalidArgumentBody(
      `Invalid value at '${label.charAt(0).toLowerCase()}${label.slice(1)}.contents'`,
    );
  }
  return request;
}

export function isErrorBody(value: unknown): value is GoogleErrorBody {
  return typeof value === 'object' && value !== null && 'error' in value;
}

export function invalidJsonBody(): GoogleErrorBody {
  return invalidArgumentBody(INVALID_JSON);
}
