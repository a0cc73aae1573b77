// Reads the token counts out of a response as it passes through, without parsing or buffering it:
// Gemini's `usageMetadata` (promptTokenCount; candidatesTokenCount + thoughtsTokenCount as output), or
// the OpenAI-compatible `usage` (prompt_tokens; completion_tokens). The last occurrence of each wins (a
// stream carries its usage in the final event). A field name inside answer text is JSON-escaped
// (`\"promptTokenCount\"`), so it never matches.

const FIELD =
  /"(promptTokenCount|prompt_tokens|candidatesTokenCount|thoughtsTokenCount|completion_tokens)"\s*:\s*(\d+)/g;
// Long enough to hold a split `"candidatesTokenCount": 123456789`.
const CARRY = 64;

/** What an answer said it used: its prompt, and its output (answer + thinking) when it said so. */
export interface AnswerUsage {
  promptTokens: number;
  outputTokens?: number;
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
    const prompt = this.found.get('promptTokenCount') ?? this.found.get('prompt_tokens');
    if (prompt === undefined) return null;
    const candidates = this.found.get('candidatesTokenCount');
    const thoughts = this.found.get('thoughtsTokenCount');
    const completion = this.found.get('completion_tokens');
    const outputTokens =
      candidates !== undefined || thoughts !== undefined ? (candidates ?? 0) + (thoughts ?? 0) : completion;
    return outputTokens === undefined ? { promptTokens: prompt } : { promptTokens: prompt, outputTokens };
  }

  private scan(text: string): void {
    FIELD.lastIndex = 0;
    let match: RegExpExecArray | null;
    while ((match = FIELD.exec(text)) !== null) this.found.set(match[1], Number(match[2]));
  }
}
