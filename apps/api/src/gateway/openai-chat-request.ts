import { KeyfleetError } from '@keyfleet/errors';
import type { TokenEstimateInput } from '@keyfleet/quota';

export interface ChatRequest {
  /** Without a `models/` prefix, as the pool names it. */
  model: string;
  /** The body forwarded upstream, untouched. */
  body: Record<string, unknown>;
  /** The messages' text, in the shape the token estimate reads. */
  estimate: TokenEstimateInput;
}

/** Checks an OpenAI chat.completions body just enough to route and estimate it; the rest is Google's to judge. */
export function chatRequestOf(body: unknown): ChatRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw KeyfleetError.invalid('the request body must be a JSON object');
  const request = body as Record<string, unknown>;
  const { model, messages } = request;
  if (typeof model !== 'string' || !model) throw KeyfleetError.invalid('model: required');
  if (!Array.isArray(messages) || messages.length === 0)
    throw KeyfleetError.invalid('messages: must be a non-empty list');
  // A message's content is a string or a list of parts with `text`: both are what the estimate walks.
  const contents = messages.map((message: unknown) => ({
    parts: [
      typeof message === 'object' && message !== null ? (message as { content?: unknown }).content : null,
    ],
  }));
  return { model: model.replace(/^models\//, ''), body: request, estimate: { contents } };
}
