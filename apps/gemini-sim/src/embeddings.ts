// The simulator's embeddings: the same text always gives the same vector, so tests can check what they got.
import { createHash } from 'node:crypto';

/** gemini-embedding-001's default size; `outputDimensionality` asks for fewer. */
export const DEFAULT_EMBEDDING_DIMENSIONS = 3072;

/** `dimensions` values in [-1, 1) drawn from the SHA-256 chain of the text. */
export function embeddingOf(text: string, dimensions: number): number[] {
  const values: number[] = [];
  let block = createHash('sha256').update(text).digest();
  while (values.length < dimensions) {
    for (let i = 0; i + 1 < block.length && values.length < dimensions; i += 2)
      values.push(Math.round((block.readUInt16BE(i) / 32768 - 1) * 1e6) / 1e6);
    block = createHash('sha256').update(block).digest();
  }
  return values;
}
