// Reads the token counts out of a response as it passes through, without parsing or buffering it:
// Gemini's `usageMetadata` (promptTokenCount, cachedContentTokenCount; candidatesTokenCount +
// thoughtsTokenCount as output), or the OpenAI-compatible `usage` (prompt_tokens and its
// prompt_tokens_details.cached_tokens; completion_tokens and its completion_tokens_details.reasoning_tokens).
// The last occurrence of each wins (a stream carries its usage in the final event). A field name inside
// answer text is JSON-escaped (`\"promptTokenCount\"`), so it never matches.

const FIELD =
  /"(promptTokenCount|prompt_tokens|candidatesTokenCount|thoughtsTokenCount|completion_tokens|cachedContentTokenCount|cached_tokens|reasoning_tokens)"\s*:\s*(\d+)/g;
// Long enough to hold a split `"cachedContentTokenCount": 123456789`.
const CARRY = 64;

/**
 * What an answer said it used: its prompt (cached tokens included), its output (answer + thinking) when it
 * said so, and of those the thinking and the cached part when it said so.
 */
export interface AnswerUsage {
  promptTokens: number;
  outputTokens?: number;
  thinkingTokens?: number;
  cachedTokens?: number;
}

export class UsageSniffer {
  private readonly decoder = new TextDecoder();
  private carry = '';
  private readonly found = new Map<string, number>();

  push(chunk: Uint8Array): void {
    const text = this.carry + this.decoder.decode(chunk, { stream: true });
    this.scan(text);
    this.carry = text.slice(-CARRY);
  }

  /** The usage seen, or null when the response gave no prompt count (then the estimate stands). */
  usage(): AnswerUsage | null {
    this.scan(this.carry + this.decoder.decode());
    this.carry = '';
    const found = (name: string) => this.found.get(name);
    const prompt = found('promptTokenCount') ?? found('prompt_tokens');
    if (prompt === undefined) return null;
    const candidates = found('candidatesTokenCount');
    const thoughts = found('thoughtsTokenCount');
    const outputTokens =
      candidates !== undefined || thoughts !== undefined
        ? (candidates ?? 0) + (thoughts ?? 0)
        : found('completion_tokens');
    const usage: AnswerUsage = { promptTokens: prompt };
    if (outputTokens !== undefined) usage.outputTokens = outputTokens;
    const thinking = thoughts ?? found('reasoning_tokens');
    if (thinking !== undefined) usage.thinkingTokens = thinking;
    const cached = found('cachedContentTokenCount') ?? found('cached_tokens');
    if (cached !== undefined) usage.cachedTokens = cached;
    return usage;
  }

  private scan(text: string): void {
    FIELD.lastIndex = 0;
    let match: RegExpExecArray | null;
    while ((match = FIELD.exec(text)) !== null) this.found.set(match[1], Number(match[2]));
  }
}
