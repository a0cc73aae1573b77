import type { EntityManager } from 'typeorm';
import { KeyfleetError } from '@keyfleet/errors';
import { estimateTokens } from '@keyfleet/quota';
import { FIRST_UNSTORED_ITEM_SQL, INSERT_ITEMS_SQL } from './batch-sql';
import { itemField, type BatchFormat, type BatchItemInput } from './validation';

// A chunk is one INSERT of one JSON parameter: large enough to amortise the round trip, small enough
// that memory stays flat (two chunks at most: one being filled while the one before is written).
const CHUNK_ITEMS = 5000;
const CHUNK_BYTES = 128 * 1024;
const OPEN = 0x5b;
const COMMA = 0x2c;
const CLOSE = 0x5d;

/**
 * Writes one batch's items in chunks inside the submission's transaction, while the next chunk is being
 * read and validated: one INSERT in flight at a time. Each item is turned into its row's JSON text at
 * once and copied into the chunk's buffer (outside V8's heap), so its parsed objects die young: rows
 * kept as objects until their chunk was written outlived two scavenges, were promoted, and a 300 MB
 * upload grew the old generation by hundreds of MB between full collections. A key already stored for
 * the batch is a 400 naming the item (the unique index finds it, so no key is held in memory).
 */
export class ItemChunkWriter {
  // Two buffers, used in turn: one filled while the other is being written. Reused, so a long upload
  // allocates no memory per chunk (new ones per chunk piled up outside the heap between collections).
  private chunk = new ChunkBuffer();
  private spare = new ChunkBuffer();
  private inFlight: Promise<void> = Promise.resolve();
  private written = 0;

  constructor(
    private readonly manager: EntityManager,
    private readonly batchId: string,
    private readonly format: BatchFormat | undefined,
  ) {}

  /** Items added so far. */
  get count(): number {
    return this.written + this.chunk.rows;
  }

  async add(item: BatchItemInput): Promise<void> {
    this.chunk.append(
      JSON.stringify({
        line_no: item.lineNo,
        key: item.key,
        request: item.request,
        est_tokens: item.estTokens ?? estimateTokens(item.request),
      }),
    );
    if (this.chunk.rows >= CHUNK_ITEMS || this.chunk.bytes >= CHUNK_BYTES) await this.flush();
  }

  /** Writes what is left and waits for every write. */
  async finish(): Promise<void> {
    await this.flush();
    await this.inFlight;
  }

  /** Waits for the write in flight, whatever its outcome (before a rollback, after another error). */
  async settle(): Promise<void> {
    await this.inFlight.catch(() => undefined);
  }

  private async flush(): Promise<void> {
    await this.inFlight; // one write at a time on the transaction's connection; its error surfaces here
    if (this.chunk.rows === 0) return;
    const full = this.chunk;
    this.written += full.rows;
    this.chunk = this.spare.reset(); // the spare's write has finished (awaited above)
    this.spare = full;
    const write = this.insert(full.json(), full.rows);
    write.catch(() => undefined); // awaited by the next flush, finish or settle
    this.inFlight = write;
  }

  private async insert(json: Buffer, rows: number): Promise<void> {
    const [{ inserted }]: Array<{ inserted: number }> = await this.manager.query(INSERT_ITEMS_SQL, [
      this.batchId,
      json,
    ]);
    if (inserted === rows) return;
    const [first]: Array<{ line_no: number; key: string }> = await this.manager.query(
      FIRST_UNSTORED_ITEM_SQL,
      [this.batchId, json],
    );
    const field = itemField(this.format, first?.line_no ?? 0, 'key');
    throw KeyfleetError.invalid(`${field}: duplicate key "${(first?.key ?? '').slice(0, 100)}"`);
  }
}

/** A chunk's rows as one JSON array, `[row,row,…]`, in UTF-8 in one growing Buffer. */
class ChunkBuffer {
  private buffer = Buffer.allocUnsafe(CHUNK_BYTES + 4096);
  bytes = 0;
  rows = 0;

  append(rowJson: string): void {
    this.ensure(Buffer.byteLength(rowJson) + 2); // the separator before it, the bracket after it
    this.buffer[this.bytes++] = this.rows === 0 ? OPEN : COMMA;
    this.bytes += this.buffer.write(rowJson, this.bytes);
    this.rows++;
  }

  /** The JSON text: a view of the buffer, valid until the next reset. */
  json(): Buffer {
    this.buffer[this.bytes] = CLOSE;
    return this.buffer.subarray(0, this.bytes + 1);
  }

  reset(): this {
    this.bytes = 0;
    this.rows = 0;
    return this;
  }

  private ensure(more: number): void {
    if (this.bytes + more <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.bytes + more));
    this.buffer.copy(grown, 0, 0, this.bytes);
    this.buffer = grown;
  }
}
