import type { DataSource } from 'typeorm';
import type { ItemError } from '@keyfleet/persistence';
import { RESULTS_PAGE_SQL } from './batch-sql';

const RESULTS_PAGE_SIZE = 500;

interface ResultRow {
  line_no: number;
  key: string;
  status: 'succeeded' | 'failed';
  response: Record<string, unknown> | null;
  error: ItemError | null;
}

/**
 * `{"key","response"}` / `{"key","error"}` lines of the finished items in line order, one keyset page
 * at a time, so a 100,000-item batch is never held in memory at once.
 */
export async function* resultLines(dataSource: DataSource, batchId: string): AsyncGenerator<string> {
  let afterLine = 0;
  for (;;) {
    const rows: ResultRow[] = await dataSource.query(RESULTS_PAGE_SQL, [
      batchId,
      afterLine,
      RESULTS_PAGE_SIZE,
    ]);
    for (const row of rows) {
      const line =
        row.status === 'succeeded'
          ? { key: row.key, response: row.response }
          : { key: row.key, error: row.error };
      yield `${JSON.stringify(line)}\n`;
    }
    if (rows.length < RESULTS_PAGE_SIZE) return;
    afterLine = rows[rows.length - 1]?.line_no ?? afterLine;
  }
}
