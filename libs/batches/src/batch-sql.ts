/** The SQL of BatchesService, kept apart so the service reads as steps. */

/** The batch row, before its items: its counts are set once they are all stored (SET_BATCH_TOTAL_SQL). */
export const INSERT_BATCH_SQL = `
INSERT INTO batches (client_id, model, display_name, idempotency_key, total_count, pending_count, priority, lane, deadline)
VALUES ($1, $2, $3, $4, 0, 0, $5, $6, $7)
RETURNING *`;

/**
 * With the lane it runs in (an economy batch's items are not the live dispatchers' to take) and the
 * client's weight, which the fair scheduler gives the batch.
 */
export const SET_BATCH_TOTAL_SQL = `
WITH u AS (
  UPDATE batches SET total_count = $2, pending_count = $2,
    lane_chosen = $3::varchar, lane_reason = $4::varchar, estimated_saving_usd = $5::float8,
    lane_live = ($3::varchar = 'live')
  WHERE id = $1 RETURNING *)
SELECT u.*, (SELECT weight FROM clients WHERE id = u.client_id) AS client_weight FROM u`;

/** A batch's items, streamed in COPY's text format (ItemCopyWriter). */
export const COPY_ITEMS_SQL = `COPY batch_items (id, batch_id, line_no, key, request, est_tokens) FROM STDIN`;

/** The unique index that finds a key twice in one batch. */
export const ITEMS_KEY_CONSTRAINT = 'UQ_batch_items_batch_key';

export const BATCH_BY_IDEMPOTENCY_KEY_SQL = `SELECT * FROM batches WHERE client_id = $1 AND idempotency_key = $2`;

export const BATCH_OF_CLIENT_SQL = `SELECT * FROM batches WHERE id = $1 AND client_id = $2`;

const CURSOR_OF = `to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_created_at`;

export const LIST_FIRST_PAGE_SQL = `
SELECT *, ${CURSOR_OF} FROM batches WHERE client_id = $1
ORDER BY created_at DESC, id DESC LIMIT $2`;

export const LIST_NEXT_PAGE_SQL = `
SELECT *, ${CURSOR_OF} FROM batches
WHERE client_id = $1 AND (created_at, id) < ($3::timestamptz, $4::uuid)
ORDER BY created_at DESC, id DESC LIMIT $2`;

/**
 * Pending items → cancelled and the batch → cancelled with its counts, in one statement (items are
 * locked before the batch row, as in every item transition). Running items finish; the batch's
 * completedAt is set once none is left. (A SELECT at the top: TypeORM answers a top-level UPDATE with [rows, count].)
 */
export const CANCEL_SQL = `
WITH c AS (
  UPDATE batch_items SET status = 'cancelled', completed_at = now()
  WHERE batch_id = $1 AND status = 'pending'
  RETURNING id
), n AS (SELECT count(*)::int AS count FROM c
), u AS (
UPDATE batches b SET
  status = CASE WHEN b.status IN ('queued', 'running', 'paused') THEN 'cancelled' ELSE b.status END,
  pending_count = b.pending_count - n.count,
  cancelled_count = b.cancelled_count + n.count,
  completed_at = CASE WHEN b.pending_count - n.count + b.running_count = 0 THEN COALESCE(b.completed_at, now()) ELSE b.completed_at END
FROM n WHERE b.id = $1
RETURNING b.*
)
SELECT u.* FROM u`;

/** A page of finished items in line order (keyset on the (batch_id, line_no) index). */
export const RESULTS_PAGE_SQL = `
SELECT line_no, key, status, response, error FROM batch_items
WHERE batch_id = $1 AND line_no > $2 AND status IN ('succeeded', 'failed')
ORDER BY line_no LIMIT $3`;
