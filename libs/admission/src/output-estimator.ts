/** Before any answer of a model was seen: about a page of text, or a short thought and answer. */
const INITIAL_OUTPUT_TOKENS = 1024;
const KEEP = 200;
const PERCENTILE = 0.95;

/**
 * Learns per model how many output tokens (candidates + thoughts) its answers have, to estimate what a
 * request will cost before it is sent: a high percentile of the last answers, so that few requests
 * cost more than was reserved for them (the correction follows each answer).
 */
export class OutputEstimator {
  private readonly recent = new Map<string, number[]>();
  private readonly learned = new Map<string, number>();

  /** The estimate for one request, at most its `maxOutputTokens` when it sets one. */
  estimate(model: string, maxOutputTokens?: number): number {
    let learned = this.learned.get(model);
    if (learned === undefined) {
      const seen = this.recent.get(model);
      learned = seen?.length ? percentile(seen, PERCENTILE) : INITIAL_OUTPUT_TOKENS;
      this.learned.set(model, learned);
    }
    return maxOutputTokens !== undefined && maxOutputTokens >= 0
      ? Math.min(learned, maxOutputTokens)
      : learned;
  }

  /** An answer's usageMetadata: candidatesTokenCount + thoughtsTokenCount. */
  observe(model: string, outputTokens: number): void {
    if (!Number.isFinite(outputTokens) || outputTokens < 0) return;
    let seen = this.recent.get(model);
    if (!seen) this.recent.set(model, (seen = []));
    seen.push(outputTokens);
    if (seen.length > KEEP) seen.shift();
    this.learned.delete(model);
  }
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

/** `generationConfig.maxOutputTokens` (REST) or `config.maxOutputTokens` (SDK), when a request sets it. */
export function maxOutputTokensOf(request: unknown): number | undefined {
  const body = request as {
    generationConfig?: { maxOutputTokens?: unknown };
    config?: { maxOutputTokens?: unknown };
  } | null;
  const value = body?.generationConfig?.maxOutputTokens ?? body?.config?.maxOutputTokens;
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
