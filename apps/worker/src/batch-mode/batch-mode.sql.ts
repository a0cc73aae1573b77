import { BATCH_MODE_LEASE, itemTransitionSql } from '@keyfleet/batches';

/** pending → running under Batch Mode (no process' lease: lease recovery leaves them alone). */
export const TAKE_FOR_BATCH_MODE_SQL = itemTransitionSql({
  from: ['pending'],
  to: `'running'`,
  inputs: ['project_id uuid'],
  set: `lease_owner = '${BATCH_MODE_LEASE}', project_id = x.project_id, taken_at = now()`,
});

/**
 * Economy batches the Batch Mode lane has work in: items to submit (while the batch is not live), or
 * jobs not settled (also of a cancelled batch: its jobs are cancelled at Google).
 */
export const ECONOMY_WORK_SQL = `
SELECT b.id, b.status FROM batches b
WHERE (b.status IN ('queued', 'running') AND b.lane_chosen = 'economy' AND NOT b.lane_live AND b.pending_count > 0)
  OR b.id IN (SELECT j.batch_id FROM batch_mode_jobs j WHERE NOT j.settled)`;

/** A job's budget hold and, in the same statement, its removal (a hold is settled once). */
export const TAKE_HOLD_SQL = `
WITH old AS (SELECT id, budget_hold FROM batch_mode_jobs WHERE id = $1 AND budget_hold IS NOT NULL FOR UPDATE),
u AS (UPDATE batch_mode_jobs j SET budget_hold = NULL FROM old WHERE j.id = old.id RETURNING j.id)
SELECT old.budget_hold FROM old JOIN u ON u.id = old.id`;
