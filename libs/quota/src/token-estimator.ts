// Input tokens are estimated before sending (about four characters a token) and corrected from
// usageMetadata.promptTokenCount afterwards; the calibrator learns each model's real ratio.

const CHARS_PER_TOKEN = 4;

/**
 * The parts of a GenerateContentRequest (REST), GenerateContentParameters (SDK) or EmbedContentRequest
 * (`content`) that hold input text.
 */
export interface TokenEstimateInput {
  contents?: unknown;
  content?: unknown;
  systemInstruction?: unknown;
  config?: { systemInstruction?: unknown } | null;
}

/** ceil(chars / 4) over every text part of `contents`, `content` and `systemInstruction`; at least 1. */
export function estimateTokens(request: TokenEstimateInput): number {
  const chars =
    textLength(request.contents) +
    textLength(request.content) +
    textLength(request.systemInstruction) +
    textLength(request.config?.systemInstruction);
  return Math.max(1, Math.ceil(chars / CHARS_PER_TOKEN));
}

// Walks string | Part | Part[] | Content | Content[] (the SDK's ContentListUnion) without trusting
// shapes, and without recursion: a request nested thousands deep must not overflow the stack.
function textLength(root: unknown): number {
  let length = 0;
  const pending: unknown[] = [root];
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value === 'string') length += value.length;
    else if (Array.isArray(value))
      for (const item of value) pending.push(item); // no spread: arrays may be long
    else if (value !== null && typeof value === 'object') {
      const node = value as {
        text?: unknown;
        parts?: unknown;
        functionCall?: unknown;
        functionResponse?: unknown;
      };
      if (typeof node.text === 'string') length += node.text.length;
      if (node.parts !== undefined) pending.push(node.parts);
      // Function calls and responses are sent as JSON text, so they count as input too.
      if (node.functionCall) length += jsonTextLength(node.functionCall);
      if (node.functionResponse) length += jsonTextLength(node.functionResponse);
    }
  }
  return length;
}

/** JSON.stringify(value).length for JSON data, computed without recursion. */
export function jsonTextLength(root: unknown): number {
  let length = 0;
  const pending: unknown[] = [root];
  while (pending.length > 0) {
    const value = pending.pop();
    if (Array.isArray(value)) {
      length += 2 + Math.max(0, value.length - 1); // brackets and commas
      for (const item of value) pending.push(item === undefined || typeof item === 'function' ? null : item);
    } else if (value !== null && typeof value === 'object') {
      const members = Object.entries(value).filter(([, v]) => v !== undefined && typeof v !== 'function');
      length += 2 + Math.max(0, members.length - 1); // braces and commas
      for (const [key, member] of members) {
        length += JSON.stringify(key).length + 1; // the name and its colon
        pending.push(member);
      }
    } else {
      length += (JSON.stringify(value) ?? 'null').length; // a string, number, boolean or null: never deep
    }
  }
  return length;
}

export interface TokenCalibratorOptions {
  /** Weight of each new observation. Default 0.2. */
  alpha?: number;
  minRatio?: number;
  maxRatio?: number;
}

/** Per-model running ratio actual/estimate (EWMA, clamped), in memory per process. */
export class TokenCalibrator {
  private readonly ratios = new Map<string, number>();
  private readonly alpha: number;
  private readonly minRatio: number;
  private readonly maxRatio: number;

  constructor(options: TokenCalibratorOptions = {}) {
    this.alpha = options.alpha ?? 0.2;
    this.minRatio = options.minRatio ?? 0.5;
    this.maxRatio = options.maxRatio ?? 4;
  }

  /** Learns from one response: the estimate made before sending and the promptTokenCount received. */
  observe(model: string, estimated: number, actual: number): void {
    if (!(estimated > 0) || !(actual >= 0)) return;
    const observed = this.clamp(actual / estimated);
    const previous = this.ratios.get(model);
    const next = previous === undefined ? observed : previous + this.alpha * (observed - previous);
    this.ratios.set(model, this.clamp(next));
  }

  ratio(model: string): number {
    return this.ratios.get(model) ?? 1;
  }

  /** The estimate scaled by what this model has shown so far; at least 1. */
  apply(model: string, estimated: number): number {
    return Math.max(1, Math.ceil(estimated * this.ratio(model)));
  }

  private clamp(ratio: number): number {
    return Math.min(this.maxRatio, Math.max(this.minRatio, ratio));
  }
}
