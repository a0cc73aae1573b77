import type { EntityManager } from 'typeorm';
import { KeyfleetError } from '@keyfleet/errors';
import { estimateTokens } from '@keyfleet/quota';
import { FIRST_UNSTORED_ITEM_SQL, INSERT_ITEMS_SQL } from './batch-sql';
import { itemField, type BatchFormat, type BatchItemInput } from './validation';

// A chunk is one INSERT of one JSON parameter: large enough to amortise the round trip, small enough
// that memory stays flat (two chunks at most: one being filled while the one before is written).
const CHUNK_ITEMS = 5000;
const CHUNK_BYTES = 8 * 1024 * 1024;

interface ItemRow {
  line_no: number;
  key: string;
  request: Record<string, unknown>;
  est_tokens: number;
}

/**
 * Writes one batch's items in chunks inside the submission's transaction, while the next chunk is being
 * read and validated: one INSERT in flight at a time. A key already stored for the batch is a 400 naming
 * the item (the unique index finds it, so no key is held in memory).
 */
export class ItemChunkWriter {
  private rows: ItemRow[] = [];
  private bytes = 0;
  private inFlight: Promise<void> = Promise.resolve();
  private written = 0;

  constructor(
    private readonly manager: EntityManager,
    private readonly batchId: string,
    private readonly format: BatchFormat | undefined,
  ) {}

  /** Items added so far. */
  get count(): number {
    return this.written + this.rows.length;
  }

  async add(item: BatchItemInput): Promise<void> {
    this.rows.push({
      line_no: item.lineNo,
      key: item.key,
      request: item.request,
      est_tokens: item.estTokens ?? estimateTokens(item.request),
    });
    this.bytes += item.bytes ?? 0;
    if (this.rows.length >= CHUNK_ITEMS || this.bytes >= CHUNK_BYTES) await this.flush();
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
    if (this.rows.length === 0) return;
    const rows = this.rows;
    this.written += rows.length;
    this.rows = [];
    this.bytes = 0;
    const write = this.insert(rows);
    write.catch(() => undefined); // awaited by the next flush, finish or settle
    this.inFlight = write;
  }

  private async insert(rows: ItemRow[]): Promise<void> {
    const json = JSON.stringify(rows);
    const [{ inserted }]: Array<{ inserted: number }> = await this.manager.query(INSERT_ITEMS_SQL, [
      this.batchId,
      json,
    ]);
    if (inserted === rows.length) return;
    const [first]: Array<{ line_no: number; key: string }> = await this.manager.query(
      FIRST_UNSTORED_ITEM_SQL,
      [this.batchId, json],
    );
    const field = itemField(this.format, first?.line_no ?? rows[0].line_no, 'key');
    throw KeyfleetError.invalid(`${field}: duplicate key "${(first?.key ?? '').slice(0, 100)}"`);
  }
}
