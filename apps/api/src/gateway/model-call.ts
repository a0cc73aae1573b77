import { KeyfleetError } from '@keyfleet/errors';

export const NATIVE_METHODS = [
  'generateContent',
  'streamGenerateContent',
  'countTokens',
  'embedContent',
  'batchEmbedContents',
] as const;
export type NativeMethod = (typeof NATIVE_METHODS)[number];
export type EmbedMethod = Extract<NativeMethod, 'embedContent' | 'batchEmbedContents'>;

export const isEmbedMethod = (method: NativeMethod): method is EmbedMethod =>
  method === 'embedContent' || method === 'batchEmbedContents';

/** `gemini-2.5-flash:generateContent` → the model and the method; anything else is a 404 as at Google. */
export function parseModelCall(target: string): { model: string; method: NativeMethod } {
  const match = /^([a-z0-9][a-z0-9._-]*):([A-Za-z]+)$/.exec(target);
  const method = NATIVE_METHODS.find((known) => known === match?.[2]);
  if (!match || !method)
    throw KeyfleetError.notFound(`The requested URL /v1beta/models/${target} was not found.`);
  return { model: match[1], method };
}

/**
 * The REST body, checked just enough that a malformed one is refused here (Google would count a 400
 * against RPM): an object, with `contents` a list (or, for countTokens, a generateContentRequest).
 */
export function requestBodyOf(
  body: unknown,
  method: Exclude<NativeMethod, EmbedMethod>,
): Record<string, unknown> & { contents?: unknown } {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw KeyfleetError.invalid('the request body must be a JSON object');
  const request = body as Record<string, unknown>;
  if (method === 'countTokens' && typeof request['generateContentRequest'] === 'object') return request;
  if (!Array.isArray(request['contents']) || request['contents'].length === 0)
    throw KeyfleetError.invalid('contents: must be a non-empty list of Content');
  return request;
}
