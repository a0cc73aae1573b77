import type { BatchItemStatus } from '@keyfleet/persistence';

/**
 * One statement that moves a set of items (`$1`, an array of ids) from one of `from` to a new status and
 * moves their batches' counters, status, startedAt and completedAt with them. Being a single statement it
 * is atomic and holds its row locks for one round trip; the conditional `status IN (…)` (checked again
 * under each item's row lock) makes every transition happen at most once, however often a job is
 * delivered. Many items of one batch moved together take the batch's row lock once.
 *
 * Locks are always taken items first (in id order), batch last (as in cancel), so transitions never
 * deadlock as long as one statement touches one batch. In `to` and `set`, `c.previous` is the item's
 * status before, `c.batch_status` its batch's, and `x.<input>` the item's own value of each input.
 */
export function itemTransitionSql(options: {
  from: readonly BatchItemStatus[];
  /** SQL expression of the new status. */
  to: string;
  /** Per-item values, `name type` each: parameter $2, $3, … is an array of them, one per id. */
  inputs?: readonly string[];
  /** Extra `column = expr` assignments on the item (`t`). */
  set?: string;
  /** An extra condition on each item (`i`, its inputs `x`), checked under its row lock. */
  where?: string;
  /** Extra item columns to return. */
  returning?: string;
  /** Extra CTEs run with the move (`name AS (…)`, comma-separated), which may read `m` (moved) and `x`. */
  also?: string;
}): string {
  const inputs = options.inputs ?? [];
  const arrays = ['$1::uuid[]', ...inputs.map((input, i) => `$${i + 2}::${input.split(' ')[1]}[]`)];
  const columns = ['id', ...inputs.map((input) => input.split(' ')[0])];
  const from = options.from.map((status) => `'${status}'`).join(', ');
  const isOpen = (column: string) => `(${column} IN ('pending', 'running'))::int`;
  const delta = (status: string) => `SUM((status = '${status}')::int - (previous = '${status}')::int)`;
  const openAfter = `b.pending_count + b.running_count + d.open`;
  const isFinal = `m.status IN ('succeeded', 'failed', 'cancelled')`;
  return `
WITH x AS (
  SELECT * FROM unnest(${arrays.join(', ')}) AS x(${columns.join(', ')})
), c AS (
  SELECT i.id, i.status AS previous, b.status AS batch_status
  FROM batch_items i JOIN x ON x.id = i.id JOIN batches b ON b.id = i.batch_id
  WHERE i.status IN (${from})${options.where ? ` AND (${options.where})` : ''}
  ORDER BY i.id
  FOR UPDATE OF i
), m AS (
  UPDATE batch_items t
  SET status = ${options.to}${options.set ? `, ${options.set}` : ''}
  FROM c JOIN x ON x.id = c.id WHERE t.id = c.id
  RETURNING t.id, t.batch_id, t.status, c.previous${options.returning ? `, ${options.returning}` : ''}
), d AS (
  SELECT batch_id,
    ${delta('pending')} AS pending, ${delta('running')} AS running, ${delta('succeeded')} AS succeeded,
    ${delta('failed')} AS failed, ${delta('cancelled')} AS cancelled,
    SUM(${isOpen('status')} - ${isOpen('previous')}) AS open,
    bool_or(status <> 'pending') AS moved_on,
    bool_or(status IN ('running', 'succeeded', 'failed')) AS started
  FROM m WHERE status <> previous GROUP BY batch_id
), counted AS (
  UPDATE batches b SET
    pending_count = b.pending_count + d.pending,
    running_count = b.running_count + d.running,
    succeeded_count = b.succeeded_count + d.succeeded,
    failed_count = b.failed_count + d.failed,
    cancelled_count = b.cancelled_count + d.cancelled,
    status = CASE
      WHEN b.status = 'cancelled' THEN 'cancelled'
      WHEN ${openAfter} = 0 THEN 'completed'
      WHEN d.moved_on AND b.status = 'queued' THEN 'running'
      ELSE b.status END,
    started_at = CASE WHEN d.started THEN COALESCE(b.started_at, now()) ELSE b.started_at END,
    completed_at = CASE WHEN ${openAfter} = 0 THEN COALESCE(b.completed_at, now()) ELSE b.completed_at END
  FROM d WHERE b.id = d.batch_id
  RETURNING b.id
)${options.also ? `, ${options.also}` : ''}
SELECT m.*, ${isFinal} AS final FROM m`;
}
