import type { UsageTokens } from './usage-types';

/** The counts of a GenerateContentResponse's `usageMetadata` (absent ones are 0). */
export function tokensOfUsageMetadata(usageMetadata: unknown): UsageTokens {
  const usage = (typeof usageMetadata === 'object' && usageMetadata !== null ? usageMetadata : {}) as Record<
    string,
    unknown
  >;
  return {
    inputTokens: count(usage['promptTokenCount']),
    outputTokens: count(usage['candidatesTokenCount']),
    thinkingTokens: count(usage['thoughtsTokenCount']),
    cachedTokens: count(usage['cachedContentTokenCount']),
  };
}

/** The tokens of a GenerateContentResponse (its `usageMetadata`). */
export function tokensOfResponse(response: Record<string, unknown>): UsageTokens {
  return tokensOfUsageMetadata(response['usageMetadata']);
}

/** An answer that counts no tokens (an embedding's): its input as keyfleet estimated and reserved it. */
export function tokensOfEstimate(inputTokens: number): UsageTokens {
  return { inputTokens, outputTokens: 0, thinkingTokens: 0, cachedTokens: 0 };
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : 0;
}
