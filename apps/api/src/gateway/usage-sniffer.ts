// Reads the prompt token count out of a response as it passes through, without parsing or buffering it:
// Gemini's `usageMetadata.promptTokenCount`, or the OpenAI-compatible `usage.prompt_tokens`.
// The last occurrence wins (a stream carries usage in its final event). A field name inside answer text
// is JSON-escaped (`\"promptTokenCount\"`), so it never matches.

const FIELD = /"(?:promptTokenCount|prompt_tokens)"\s*:\s*(\d+)/g;
// Long enough to hold a split `"promptTokenCount": 123456789`.
const CARRY = 64;

export class UsageSniffer {
  private readonly decoder = new TextDecoder();
  private carry = '';
  private found: number | null = null;

  push(chunk: Uint8Array): void {
    const text = this.carry + this.decoder.decode(chunk, { stream: true });
    this.scan(text);
    this.carry = text.slice(-CARRY);
  }

  /** The prompt tokens seen, or null when the response said nothing (then the estimate stands). */
  promptTokens(): number | null {
    this.scan(this.carry + this.decoder.decode());
    this.carry = '';
    return this.found;
  }

  private scan(text: string): void {
    FIELD.lastIndex = 0;
    let match: RegExpExecArray | null;
    while ((match = FIELD.exec(text)) !== null) this.found = Number(match[1]);
  }
}
