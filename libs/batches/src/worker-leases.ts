import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

// Renews one lease and, in the same round trip, says whether any lease has run out (a worker died).
const RENEW_SQL = `
WITH renewed AS (
  INSERT INTO dispatch_workers (id, name, expires_at) VALUES ($1, $2, now() + make_interval(secs => $3))
  ON CONFLICT (id) DO UPDATE SET expires_at = EXCLUDED.expires_at
  RETURNING id
)
SELECT EXISTS (SELECT 1 FROM dispatch_workers WHERE expires_at < now()) AS "anyExpired"`;

/**
 * The lease owner of items Google's Batch Mode runs (economy lane): no process holds them, their Batch
 * Mode job does (batch_mode_jobs), so lease recovery leaves them alone.
 */
export const BATCH_MODE_LEASE = '00000000-0000-4000-8000-00000000b0b0';

// Running items whose runner holds no live lease: it died (its lease ran out), or it never had one.
// Costs a walk over the running items (the in-flight ones, via IDX_batch_items_lease), not the backlog.
const ORPHANED_SQL = `
SELECT i.id, i.lease_owner AS "leaseOwner" FROM batch_items i
WHERE i.status = 'running' AND i.lease_owner IS DISTINCT FROM '${BATCH_MODE_LEASE}'
  AND NOT EXISTS (SELECT 1 FROM dispatch_workers w WHERE w.id = i.lease_owner AND w.expires_at >= now())
LIMIT $1`;

// Rows of workers whose lease ran out and who run nothing any more.
const FORGET_SQL = `
DELETE FROM dispatch_workers w WHERE w.expires_at < now()
  AND NOT EXISTS (SELECT 1 FROM batch_items i WHERE i.status = 'running' AND i.lease_owner = w.id)`;

/**
 * The leases of worker processes on the items they run: one row per live process, renewed every few
 * seconds, so renewal costs one statement however many items a process has in flight.
 */
@Injectable()
export class WorkerLeases {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Registers or renews `workerId`'s lease for `ttlSeconds` from Postgres' now. Returns whether some
   * worker's lease has run out (its items are to be handed back).
   */
  async renew(workerId: string, name: string, ttlSeconds: number): Promise<{ anyExpired: boolean }> {
    const rows: Array<{ anyExpired: boolean }> = await this.dataSource.query(RENEW_SQL, [
      workerId,
      name.slice(0, 300),
      ttlSeconds,
    ]);
    return { anyExpired: rows[0]?.anyExpired ?? false };
  }

  /** A process that stops cleanly gives up its lease (its items were finished or handed back). */
  async end(workerId: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM dispatch_workers WHERE id = $1`, [workerId]);
  }

  /** Up to `limit` running items whose runner holds no live lease, with their owner as it stands. */
  orphanedItems(limit: number): Promise<Array<{ id: string; leaseOwner: string | null }>> {
    return this.dataSource.query(ORPHANED_SQL, [limit]);
  }

  /** Running items of one worker (to hand back what it could not finish before stopping). */
  async itemsOf(workerId: string): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.dataSource.query(
      `SELECT id FROM batch_items WHERE status = 'running' AND lease_owner = $1`,
      [workerId],
    );
    return rows.map((row) => row.id);
  }

  /** Drops the rows of dead workers that no longer run anything. */
  async forgetDead(): Promise<void> {
    await this.dataSource.query(FORGET_SQL);
  }
}
