import { KeyfleetError } from '@keyfleet/errors';

const NEWLINE = 0x0a;

export interface NdjsonLine {
  /** 1-based, counting blank lines too. */
  lineNo: number;
  /** The line's bytes, without its newline. */
  line: Buffer;
}

/**
 * Splits a byte stream at newlines as it arrives. Only the current line is held (up to `maxLineBytes`,
 * a 413 naming the line beyond): however big the upload, memory stays flat. A newline byte never occurs
 * inside a UTF-8 sequence, so lines are split before they are decoded.
 */
export async function* ndjsonLines(
  chunks: AsyncIterable<Buffer> | Iterable<Buffer>,
  maxLineBytes: number,
): AsyncGenerator<NdjsonLine> {
  let lineNo = 0;
  let partial: Buffer[] = [];
  let partialBytes = 0;
  const tooLong = () =>
    KeyfleetError.tooLarge(`line ${lineNo + 1}: longer than ${maxLineBytes} bytes (KF_MAX_JSON_MB)`);
  for await (const chunk of chunks) {
    let start = 0;
    for (let end = chunk.indexOf(NEWLINE); end !== -1; end = chunk.indexOf(NEWLINE, start)) {
      const piece = chunk.subarray(start, end);
      if (partialBytes + piece.length > maxLineBytes) throw tooLong();
      const line = partial.length === 0 ? piece : Buffer.concat([...partial, piece]);
      partial = [];
      partialBytes = 0;
      start = end + 1;
      yield { lineNo: ++lineNo, line };
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      partialBytes += rest.length;
      if (partialBytes > maxLineBytes) throw tooLong();
      partial.push(rest);
    }
  }
  if (partialBytes > 0) yield { lineNo: ++lineNo, line: Buffer.concat(partial) };
}
