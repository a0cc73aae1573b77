/** The SQL of the accounting lib, kept apart so the classes read as steps. */

const RECORD_COLUMNS =
  'client_id, batch_id, project_id, model, lane, surface, input_tokens, output_tokens, thinking_tokens, cached_tokens, cost_micro_usd';

/** Any number of usage records in one statement: each parameter an array, one element per record. */
export const INSERT_RECORDS_SQL = `
INSERT INTO usage_records (${RECORD_COLUMNS})
SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::varchar[], $5::varchar[], $6::varchar[],
  $7::int[], $8::int[], $9::int[], $10::int[], $11::numeric[])`;

/**
 * For an item-transition statement (libs/batches itemTransitionSql): the per-item inputs that carry an
 * item's usage (null lane: nothing to record), in ItemUsage order (usageInputsOf).
 */
export const ITEM_USAGE_INPUTS = [
  'usage_lane varchar',
  'usage_input int',
  'usage_output int',
  'usage_thinking int',
  'usage_cached int',
  'usage_cost numeric',
] as const;

/**
 * A CTE for that statement: one usage record per item it moved (`m`, so an item's result and its record
 * are written once, together), with the client and model of its batch and the project in `x.project_id`.
 */
export const ITEM_USAGE_CTE = `item_usage AS (
  INSERT INTO usage_records (${RECORD_COLUMNS})
  SELECT ub.client_id, m.batch_id, x.project_id, ub.model, x.usage_lane, 'batch', x.usage_input,
    x.usage_output, x.usage_thinking, x.usage_cached, x.usage_cost
  FROM m JOIN x ON x.id = m.id JOIN batches ub ON ub.id = m.batch_id
  WHERE x.usage_lane IS NOT NULL AND x.project_id IS NOT NULL
)`;

const SUMS = 'input_tokens, output_tokens, thinking_tokens, cached_tokens, cost_micro_usd';
const ADD_SUMS = ['requests', ...SUMS.split(', ')]
  .map((column) => `${column} = usage_hourly.${column} + EXCLUDED.${column}`)
  .join(', ');
const HOURLY_COLUMNS = `hour, client_id, batch_id, project_id, model, lane, requests, ${SUMS}`;

/**
 * Rolls up to $1 raw rows (oldest first) into usage_hourly and marks them, in one statement: a row is
 * summed exactly once (marked under its row lock; SKIP LOCKED leaves rows another pass holds), and one
 * pass at a time runs (a transaction-scoped advisory lock; another worker's pass returns 0). Hours are UTC.
 */
export const ROLL_UP_SQL = `
WITH lock AS (SELECT pg_try_advisory_xact_lock(hashtext('keyfleet:usage-rollup')) AS held
), picked AS (
  SELECT id FROM usage_records
  WHERE rolled_up = false AND (SELECT held FROM lock)
  ORDER BY recorded_at LIMIT $1 FOR UPDATE SKIP LOCKED
), marked AS (
  UPDATE usage_records r SET rolled_up = true FROM picked WHERE r.id = picked.id
  RETURNING date_trunc('hour', r.recorded_at, 'UTC') AS hour, r.client_id, r.batch_id, r.project_id,
    r.model, r.lane, ${SUMS.split(', ')
      .map((column) => `r.${column}`)
      .join(', ')}
), sums AS (
  SELECT hour, client_id, batch_id, project_id, model, lane, count(*) AS requests,
    ${SUMS.split(', ')
      .map((column) => `SUM(${column}) AS ${column}`)
      .join(', ')}
  FROM marked GROUP BY hour, client_id, batch_id, project_id, model, lane
), interactive AS (
  INSERT INTO usage_hourly (${HOURLY_COLUMNS})
  SELECT ${HOURLY_COLUMNS} FROM sums WHERE batch_id IS NULL ORDER BY hour, client_id, project_id, model, lane
  ON CONFLICT (hour, client_id, project_id, model, lane) WHERE batch_id IS NULL DO UPDATE SET ${ADD_SUMS}
), batched AS (
  INSERT INTO usage_hourly (${HOURLY_COLUMNS})
  SELECT ${HOURLY_COLUMNS} FROM sums WHERE batch_id IS NOT NULL
  ORDER BY hour, client_id, batch_id, project_id, model, lane
  ON CONFLICT (hour, client_id, batch_id, project_id, model, lane) WHERE batch_id IS NOT NULL
  DO UPDATE SET ${ADD_SUMS}
)
SELECT count(*)::int AS rows FROM marked`;

/** Up to $2 raw rows recorded before $1 and already rolled up (never one the rollups lack). */
export const PRUNE_SQL = `
WITH gone AS (
  DELETE FROM usage_records WHERE id IN (
    SELECT id FROM usage_records WHERE recorded_at < $1 AND rolled_up LIMIT $2)
  RETURNING 1
)
SELECT count(*)::int AS rows FROM gone`;

/**
 * Usage in [$1, $2) (whole UTC hours): the rollups plus the raw rows not rolled up yet, read in one
 * snapshot, so a rollup running meanwhile neither drops nor doubles a row. `$3` a client id or null.
 */
export const USAGE_IN_RANGE_SQL = `
SELECT hour, client_id, batch_id, project_id, model, lane, requests, ${SUMS}
FROM usage_hourly WHERE hour >= $1 AND hour < $2 AND ($3::uuid IS NULL OR client_id = $3)
UNION ALL
SELECT date_trunc('hour', recorded_at, 'UTC'), client_id, batch_id, project_id, model, lane, 1, ${SUMS}
FROM usage_records
WHERE rolled_up = false AND recorded_at >= $1 AND recorded_at < $2 AND ($3::uuid IS NULL OR client_id = $3)`;

/** A client's spend in [$1, $2), of one model when $4 is given. */
export const CLIENT_SPEND_SQL = `
SELECT COALESCE(SUM(cost_micro_usd), 0)::text AS micros FROM (
  SELECT cost_micro_usd FROM usage_hourly
  WHERE client_id = $3 AND hour >= $1 AND hour < $2 AND ($4::varchar IS NULL OR model = $4)
  UNION ALL
  SELECT cost_micro_usd FROM usage_records
  WHERE client_id = $3 AND rolled_up = false AND recorded_at >= $1 AND recorded_at < $2
    AND ($4::varchar IS NULL OR model = $4)
) s`;
