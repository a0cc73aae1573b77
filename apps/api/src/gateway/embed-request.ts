import { KeyfleetError } from '@keyfleet/errors';
import type { TokenEstimateInput } from '@keyfleet/quota';

/** Google's cap on one batchEmbedContents call (and so on one OpenAI embeddings call's inputs). */
export const MAX_EMBED_REQUESTS = 100;

/** One EmbedContentRequest as sent upstream, and the text the quota estimate reads. */
export interface EmbedPiece {
  body: Record<string, unknown>;
  estimate: TokenEstimateInput;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** embedContent: one piece. batchEmbedContents: one per request, each naming this model (or none). */
export function embedPiecesOf(
  body: unknown,
  method: 'embedContent' | 'batchEmbedContents',
  model: string,
): EmbedPiece[] {
  if (!isObject(body)) throw KeyfleetError.invalid('the request body must be a JSON object');
  if (method === 'embedContent') return [pieceOf(body, 'content')];
  const { requests } = body;
  if (!Array.isArray(requests) || requests.length === 0)
    throw KeyfleetError.invalid('requests: must be a non-empty list of EmbedContentRequest');
  if (requests.length > MAX_EMBED_REQUESTS)
    throw KeyfleetError.invalid(`requests: at most ${MAX_EMBED_REQUESTS} requests can be in one batch`);
  return requests.map((request: unknown, i) => {
    if (!isObject(request)) throw KeyfleetError.invalid(`requests[${i}]: must be an EmbedContentRequest`);
    const named = request['model'];
    if (named !== undefined && named !== `models/${model}`)
      throw KeyfleetError.invalid(`requests[${i}].model: must be models/${model}, the model of the URL`);
    return pieceOf(request, `requests[${i}].content`);
  });
}

function pieceOf(request: Record<string, unknown>, field: string): EmbedPiece {
  if (!isObject(request['content'])) throw KeyfleetError.invalid(`${field}: must be a Content`);
  const { model: _model, ...body } = request;
  return { body, estimate: { contents: [request['content']] } };
}

/** An OpenAI embeddings body: one piece per input (the same body with that input alone). */
export function openAiEmbedPiecesOf(body: unknown): { model: string; pieces: EmbedPiece[] } {
  if (!isObject(body)) throw KeyfleetError.invalid('the request body must be a JSON object');
  const { model, input } = body;
  if (typeof model !== 'string' || !model) throw KeyfleetError.invalid('model: required');
  const inputs = typeof input === 'string' ? [input] : input;
  if (!Array.isArray(inputs) || inputs.length === 0 || inputs.some((item) => typeof item !== 'string'))
    throw KeyfleetError.invalid('input: must be a string or a non-empty list of strings');
  if (inputs.length > MAX_EMBED_REQUESTS)
    throw KeyfleetError.invalid(`input: at most ${MAX_EMBED_REQUESTS} strings in one call`);
  const pieces = (inputs as string[]).map((text) => ({
    body: { ...body, input: text },
    estimate: { contents: [{ parts: [{ text }] }] },
  }));
  return { model: model.replace(/^models\//, ''), pieces };
}
