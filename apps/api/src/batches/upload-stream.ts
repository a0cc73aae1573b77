import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { ErrorCode, KeyfleetError } from '@keyfleet/errors';

const DECODERS: Record<string, () => NodeJS.ReadWriteStream> = {
  gzip: createGunzip,
  'x-gzip': createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
};

// zlib's and brotli's codes for data they cannot decode.
const BAD_DATA = /^(Z_|ERR__ERROR)/;

/**
 * The bytes of a request body as they arrive (decompressed per Content-Encoding), up to `maxBytes`
 * (a 413 beyond). Nothing is buffered beyond the chunk being read. If the reader stops early (a bad
 * line), the rest of the upload is read and dropped, not cut off, so the client sees the error answer.
 */
export async function* uploadBytes(request: IncomingMessage, maxBytes: number): AsyncGenerator<Buffer> {
  const declared = Number(request.headers['content-length']);
  if (declared > maxBytes) throw tooLarge(maxBytes);
  const encoding = (request.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  let source: Readable = request;
  if (encoding !== 'identity') {
    const decoder = DECODERS[encoding];
    if (!decoder)
      throw new KeyfleetError(ErrorCode.InvalidArgument, `Content-Encoding: "${encoding}" is not supported`);
    source = request.pipe(decoder()) as unknown as Readable;
  }
  let total = 0;
  try {
    for await (const chunk of source.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > maxBytes) throw tooLarge(maxBytes);
      yield chunk;
    }
  } catch (error) {
    if (source !== request && BAD_DATA.test((error as { code?: string }).code ?? ''))
      throw KeyfleetError.invalid(`body: not valid ${encoding} data`);
    throw error;
  } finally {
    if (source !== request) {
      request.unpipe();
      source.destroy();
    }
    if (!request.readableEnded) request.resume();
  }
}

function tooLarge(maxBytes: number): KeyfleetError {
  return KeyfleetError.tooLarge(
    `body: larger than ${Math.round(maxBytes / 1024 / 1024)} MB (KF_MAX_BODY_MB)`,
  );
}
