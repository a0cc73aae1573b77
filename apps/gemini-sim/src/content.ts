// Deterministic model answers: the text is derived from the prompt, so a test can match each answer to its request.
import { createHash, randomBytes } from 'node:crypto';
import { countTextTokens, promptTexts, type GenerateContentRequest } from './tokens';

export interface UsageMetadata {
  promptTokenCount: number;
  candidatesTokenCount: number;
  totalTokenCount: number;
}

export interface SimAnswer {
  /** The full answer text, "sim:" + the first 12 hex digits of sha1(prompt text). */
  text: string;
  /** The answer split into stream chunks; joined they give `text`. */
  chunks: string[];
  usage: UsageMetadata;
  responseId: string;
}

/** The answer text for a prompt: the texts joined with "\n" and hashed. */
export function answerTextFor(texts: string[]): string {
  return `sim:${createHash('sha1').update(texts.join('\n')).digest('hex').slice(0, 12)}`;
}

export function buildAnswer(request: GenerateContentRequest, promptTokenCount: number): SimAnswer {
  const texts = promptTexts(request);
  const text = answerTextFor(texts);
  const candidatesTokenCount = countTextTokens([text]);
  return {
    text,
    chunks: [text.slice(0, 4), text.slice(4, 10), text.slice(10)],
    usage: {
      promptTokenCount,
      candidatesTokenCount,
      totalTokenCount: promptTokenCount + candidatesTokenCount,
    },
    responseId: randomBytes(12).toString('base64url'),
  };
}

/** A GenerateContentResponse (or one stream chunk of it; `final` adds finishReason and usageMetadata). */
export function generateContentResponse(
  model: string,
  answer: SimAnswer,
  text: string,
  final: boolean,
): object {
  const candidate: Record<string, unknown> = { content: { parts: [{ text }], role: 'model' } };
  if (final) candidate.finishReason = 'STOP';
  candidate.index = 0;
  const response: Record<string, unknown> = { candidates: [candidate] };
  if (final) {
    response.usageMetadata = {
      ...answer.usage,
      promptTokensDetails: [{ modality: 'TEXT', tokenCount: answer.usage.promptTokenCount }],
    };
  }
  response.modelVersion = model;
  response.responseId = answer.responseId;
  return response;
}
