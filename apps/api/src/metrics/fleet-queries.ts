// Fleet state for the scrape-time gauges: a few aggregate reads, each one statement.

/** Upstream keys per project and status. */
export const KEYS_BY_STATUS_SQL = `SELECT p.name AS project, k.status, count(*)::int AS count
  FROM upstream_keys k JOIN projects p ON p.id = k.project_id
  GROUP BY p.name, k.status`;

/** Days until each active key's rotation is due (negative when overdue). */
export const ROTATION_DUE_SQL = `SELECT p.name AS project, k.id AS key_id,
    EXTRACT(EPOCH FROM (k.rotation_due_at - now())) / 86400 AS days
  FROM upstream_keys k JOIN projects p ON p.id = k.project_id
  WHERE k.status = 'active'`;

/** Items per model and status over every batch (the counters move with each item, so this reads batch rows only). */
export const ITEMS_BY_STATUS_SQL = `SELECT model,
    SUM(pending_count)::bigint AS pending, SUM(running_count)::bigint AS running,
    SUM(succeeded_count)::bigint AS succeeded, SUM(failed_count)::bigint AS failed,
    SUM(cancelled_count)::bigint AS cancelled
  FROM batches GROUP BY model`;

/** The backlog per model: pending items of open batches (Postgres holds it, whatever hands items out). */
export const BACKLOG_SQL = `SELECT model, SUM(pending_count)::bigint AS pending
  FROM batches WHERE status IN ('queued', 'running') GROUP BY model`;

export interface ItemsByStatusRow {
  model: string;
  pending: string;
  running: string;
  succeeded: string;
  failed: string;
  cancelled: string;
}
