// Deterministic token counting: ceil(characters / 4) over every text part, at least 1.

export interface GeminiPart {
  text?: unknown;
  [field: string]: unknown;
}

export interface GeminiContent {
  role?: unknown;
  parts?: unknown;
}

/** The subset of a GenerateContentRequest the simulator reads. */
export interface GenerateContentRequest {
  contents?: unknown;
  systemInstruction?: unknown;
  [field: string]: unknown;
}

function textsOfContent(content: unknown): string[] {
  if (typeof content === 'string') return [content];
  if (typeof content !== 'object' || content === null) return [];
  const parts = (content as GeminiContent).parts;
  if (!Array.isArray(parts)) return [];
  return parts.flatMap((part: unknown) => {
    const text = typeof part === 'object' && part !== null ? (part as GeminiPart).text : undefined;
    return typeof text === 'string' ? [text] : [];
  });
}

/** Every text part of `systemInstruction` then `contents`, in order. */
export function promptTexts(request: GenerateContentRequest): string[] {
  const contents = Array.isArray(request.contents) ? (request.contents as unknown[]) : [request.contents];
  return [...textsOfContent(request.systemInstruction), ...contents.flatMap(textsOfContent)];
}

export function countTextTokens(texts: string[]): number {
  const chars = texts.reduce((sum, text) => sum + text.length, 0);
  return Math.max(1, Math.ceil(chars / 4));
}

/** The promptTokenCount the simulator charges for a request (characters are UTF-16 code units). */
export function countPromptTokens(request: GenerateContentRequest): number {
  return countTextTokens(promptTexts(request));
}
