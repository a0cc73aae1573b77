/**
 * Checks JSON text before it is parsed, in one pass over its bytes and without recursion, for what
 * would make it fail further on (as a 500) rather than at the edge (as a 400 naming the field):
 * - nesting deeper than `maxDepth`: JSON.stringify, zod and every walker recurse, and a 20,000-deep body
 *   overflows the stack (V8's JSON.parse does not recurse, but takes seconds on megabytes of `[[[[`);
 * - a lone surrogate (`"\ud800"`): not Unicode, so Postgres refuses it in jsonb and Google in a request;
 * - a NUL (`"\u0000"`), unless `allowNul`: Postgres text and jsonb cannot hold it.
 * Raw bytes cannot carry either character (JSON forbids raw control characters, and invalid UTF-8 is
 * decoded to U+FFFD), so only `\u` escapes need looking at.
 */
export interface JsonTextRules {
  maxDepth: number;
  allowNul: boolean;
}

export interface JsonTextProblem {
  /** Where, as `requests[3].request.contents[0]` (empty for the top level). */
  path: string;
  message: string;
}

/** Protobuf's default recursion limit, which Google's own JSON parsing applies to every request. */
export const MAX_JSON_DEPTH = 100;
// A path this deep is cut short in messages: its first segments say which item it is.
const PATH_SEGMENTS_SHOWN = 12;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;

interface Frame {
  array: boolean;
  /** Arrays: the index of the current element. */
  index: number;
  /** Objects: where the current member's name starts and ends in the text (-1 before the first). */
  keyStart: number;
  keyEnd: number;
  expectKey: boolean;
}

/** The first problem of this JSON text (UTF-8 bytes), or null. Syntax is left to JSON.parse. */
export function problemOfJsonText(text: Uint8Array, rules: JsonTextRules): JsonTextProblem | null {
  const stack: Frame[] = [];
  const next = { quote: new NextByte(text, QUOTE), backslash: new NextByte(text, BACKSLASH) };
  const end = text.length;
  let i = 0;
  while (i < end) {
    const byte = text[i];
    if (byte === QUOTE) {
      const top = stack[stack.length - 1];
      const isKey = top !== undefined && !top.array && top.expectKey;
      const scanned = scanString(text, i + 1, next, rules);
      if (typeof scanned !== 'number') {
        const path = pathOf(text, stack);
        return { path: isKey ? `${path} (a field name)`.trim() : path, message: scanned.message };
      }
      if (isKey) {
        top.keyStart = i;
        top.keyEnd = scanned;
        top.expectKey = false;
      }
      i = scanned;
      continue;
    }
    if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) {
      if (stack.length >= rules.maxDepth) {
        return { path: pathOf(text, stack), message: `nested more than ${rules.maxDepth} levels deep` };
      }
      stack.push({ array: byte === OPEN_ARRAY, index: 0, keyStart: -1, keyEnd: -1, expectKey: true });
    } else if (byte === CLOSE_OBJECT || byte === CLOSE_ARRAY) {
      stack.pop();
    } else if (byte === COMMA) {
      const top = stack[stack.length - 1];
      if (top?.array) top.index++;
      else if (top) top.expectKey = true;
    }
    i++;
  }
  return null;
}

/**
 * Scans a string body from `from` (just after its opening quote): the offset just after its closing
 * quote, or the problem found in it. An unterminated string ends the scan (JSON.parse will say why).
 */
function scanString(
  text: Uint8Array,
  from: number,
  next: { quote: NextByte; backslash: NextByte },
  rules: JsonTextRules,
): number | { message: string } {
  const end = text.length;
  let i = from;
  // After a high surrogate escape, the next thing must be a low surrogate escape.
  let pendingHigh = false;
  while (i < end) {
    const quote = next.quote.from(i);
    const backslash = next.backslash.from(i);
    if (backslash === -1 || (quote !== -1 && quote < backslash)) {
      if (pendingHigh) return loneSurrogate();
      return quote === -1 ? end : quote + 1;
    }
    if (pendingHigh && backslash !== i) return loneSurrogate();
    const escaped = text[backslash + 1];
    if (escaped !== 0x75 /* u */) {
      if (pendingHigh) return loneSurrogate();
      i = backslash + 2;
      continue;
    }
    const unit = hex4(text, backslash + 2, end);
    i = backslash + 6;
    if (unit === -1) continue; // not an escape JSON.parse accepts: it will say so
    if (unit === 0 && !rules.allowNul) {
      return { message: NUL_MESSAGE };
    }
    const high = unit >= 0xd800 && unit <= 0xdbff;
    const low = unit >= 0xdc00 && unit <= 0xdfff;
    if (pendingHigh) {
      if (!low) return loneSurrogate();
      pendingHigh = false;
    } else if (low) {
      return loneSurrogate();
    } else if (high) {
      pendingHigh = true;
    }
  }
  return end;
}

const NUL_MESSAGE = 'contains a NUL character (\\u0000), which cannot be stored';
const LONE_SURROGATE_MESSAGE =
  'contains a lone surrogate (\\ud800–\\udfff without its pair): not valid Unicode text';

function loneSurrogate(): { message: string } {
  return { message: LONE_SURROGATE_MESSAGE };
}

/**
 * The next offset of one byte value at or after a position that only moves forward: a text without
 * backslashes, or a long string with many escapes, is searched once, not once per string or escape.
 */
class NextByte {
  private at = -2;

  constructor(
    private readonly text: Uint8Array,
    private readonly byte: number,
  ) {}

  from(position: number): number {
    if (this.at === -1) return -1;
    if (this.at < position) this.at = this.text.indexOf(this.byte, position);
    return this.at;
  }
}

function hex4(text: Uint8Array, from: number, end: number): number {
  if (from + 4 > end) return -1;
  let value = 0;
  for (let i = from; i < from + 4; i++) {
    const digit = hexDigit(text[i]);
    if (digit === -1) return -1;
    value = value * 16 + digit;
  }
  return value;
}

function hexDigit(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  if (byte >= 0x41 && byte <= 0x46) return byte - 0x41 + 10;
  if (byte >= 0x61 && byte <= 0x66) return byte - 0x61 + 10;
  return -1;
}

/** `requests[3].request.contents[0]`: each object frame by its current member name, each array by index. */
function pathOf(text: Uint8Array, stack: readonly Frame[]): string {
  let path = '';
  const shown = Math.min(stack.length, PATH_SEGMENTS_SHOWN);
  for (let depth = 0; depth < shown; depth++) {
    const frame = stack[depth];
    if (frame.array) path += `[${frame.index}]`;
    else if (frame.keyStart >= 0) path += memberSegment(decodeKey(text, frame.keyStart, frame.keyEnd), path);
  }
  return stack.length > shown ? `${path}…` : path;
}

function memberSegment(name: string, pathSoFar: string): string {
  if (/^[A-Za-z_$][\w$]*$/.test(name)) return pathSoFar ? `.${name}` : name;
  return `[${JSON.stringify(name.slice(0, 60))}]`;
}

function decodeKey(text: Uint8Array, start: number, end: number): string {
  try {
    return JSON.parse(
      Buffer.from(text.buffer, text.byteOffset + start, end - start).toString('utf8'),
    ) as string;
  } catch {
    return '?';
  }
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** The same rules for a string already decoded (a query parameter): its problem, or null. */
export function problemOfText(value: string, allowNul: boolean): string | null {
  if (!allowNul && value.includes('\u0000')) return NUL_MESSAGE;
  if (LONE_SURROGATE.test(value)) return LONE_SURROGATE_MESSAGE;
  return null;
}
