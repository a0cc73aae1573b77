import type { BatchItemStatus } from '@keyfleet/persistence';

/**
 * One statement that moves an item from one of `from` to a new status and moves the batch's counters,
 * status, startedAt and completedAt with it. Being a single statement it is atomic and holds its row
 * locks for one round trip; the conditional `status IN (…)` (checked again under the item's row lock)
 * makes every transition happen at most once, however often a job is delivered.
 *
 * Locks are always taken item first, batch last (as in cancel), so transitions never deadlock.
 * In `to` and `set`, `c.previous` is the item's status before and `c.batch_status` its batch's.
 */
export function itemTransitionSql(options: {
  from: readonly BatchItemStatus[];
  /** SQL expression of the new status. */
  to: string;
  /** Extra `column = expr` assignments on the item (`t`), parameters from $2. */
  set?: string;
  /** Extra item columns to return. */
  returning?: string;
}): string {
  const from = options.from.map((status) => `'${status}'`).join(', ');
  const isOpen = (column: string) => `(${column} IN ('pending', 'running'))::int`;
  const delta = (status: string) => `(m.status = '${status}')::int - (m.previous = '${status}')::int`;
  const openAfter = `b.pending_count + b.running_count + ${isOpen('m.status')} - ${isOpen('m.previous')}`;
  const isFinal = `m.status IN ('succeeded', 'failed', 'cancelled')`;
  return `
WITH c AS (
  SELECT i.id, i.status AS previous, b.status AS batch_status
  FROM batch_items i JOIN batches b ON b.id = i.batch_id
  WHERE i.id = $1 AND i.status IN (${from})
  FOR UPDATE OF i
), m AS (
  UPDATE batch_items t
  SET status = ${options.to}${options.set ? `, ${options.set}` : ''}
  FROM c WHERE t.id = c.id
  RETURNING t.id, t.batch_id, t.status, c.previous${options.returning ? `, ${options.returning}` : ''}
), counted AS (
  UPDATE batches b SET
    pending_count = b.pending_count + ${delta('pending')},
    running_count = b.running_count + ${delta('running')},
    succeeded_count = b.succeeded_count + ${delta('succeeded')},
    failed_count = b.failed_count + ${delta('failed')},
    cancelled_count = b.cancelled_count + ${delta('cancelled')},
    status = CASE
      WHEN b.status = 'cancelled' THEN 'cancelled'
      WHEN ${openAfter} = 0 THEN 'completed'
      WHEN m.status <> 'pending' AND b.status = 'queued' THEN 'running'
      ELSE b.status END,
    started_at = CASE WHEN m.status IN ('running', 'succeeded', 'failed') THEN COALESCE(b.started_at, now()) ELSE b.started_at END,
    completed_at = CASE WHEN ${openAfter} = 0 THEN COALESCE(b.completed_at, now()) ELSE b.completed_at END
  FROM m WHERE b.id = m.batch_id AND m.status <> m.previous
  RETURNING b.id
)
SELECT m.*, ${isFinal} AS final FROM m`;
}
