import type { BatchLane, BatchStatus, RunLane } from '@keyfleet/persistence';

/** A batch as the API shows it. */
export interface BatchView {
  id: string;
  model: string;
  displayName: string | null;
  /** Orders the client's own batches: higher goes first. */
  priority: number;
  /** The lane asked for: live, economy (Google's Batch Mode) or auto. */
  lane: BatchLane;
  /** The lane it runs in (auto's choice). */
  laneChosen: RunLane;
  /** Why auto chose so; null for an explicit lane. */
  laneReason: string | null;
  /** What economy saves against live, estimated at submission (US dollars); null when live or unpriced. */
  estimatedSavingUsd: number | null;
  deadline: string | null;
  status: BatchStatus;
  counts: {
    total: number;
    pending: number;
    running: number;
    succeeded: number;
    failed: number;
    cancelled: number;
  };
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
  /** Seconds until every item is final: null while nothing is known yet or while paused, 0 once done. */
  etaSeconds: number | null;
}

/** A `batches` row as raw SQL returns it. */
export interface BatchRow {
  id: string;
  client_id: string;
  model: string;
  display_name: string | null;
  status: BatchStatus;
  idempotency_key: string | null;
  priority: number;
  lane: BatchLane;
  lane_chosen: RunLane;
  lane_reason: string | null;
  estimated_saving_usd: number | null;
  deadline: Date | null;
  total_count: number;
  pending_count: number;
  running_count: number;
  succeeded_count: number;
  failed_count: number;
  cancelled_count: number;
  created_at: Date;
  started_at: Date | null;
  completed_at: Date | null;
}

export function toBatchView(row: BatchRow, now: Date = new Date()): BatchView {
  return {
    id: row.id,
    model: row.model,
    displayName: row.display_name,
    priority: row.priority,
    lane: row.lane,
    laneChosen: row.lane_chosen,
    laneReason: row.lane_reason,
    estimatedSavingUsd: row.estimated_saving_usd,
    deadline: row.deadline?.toISOString() ?? null,
    status: row.status,
    counts: {
      total: row.total_count,
      pending: row.pending_count,
      running: row.running_count,
      succeeded: row.succeeded_count,
      failed: row.failed_count,
      cancelled: row.cancelled_count,
    },
    createdAt: row.created_at.toISOString(),
    startedAt: row.started_at?.toISOString() ?? null,
    completedAt: row.completed_at?.toISOString() ?? null,
    etaSeconds: estimateEtaSeconds(row, now),
  };
}

/**
 * A plain estimate from the completion rate observed since the batch started. The api's
 * GET /v1/batches/:id replaces it with one from the pool's remaining capacity (apps/api BatchEta).
 */
export function estimateEtaSeconds(row: BatchRow, now: Date): number | null {
  const open = row.pending_count + row.running_count;
  if (open === 0) return 0;
  if (row.status === 'paused') return null; // it waits for its client's budget, not for the pool
  const finished = row.succeeded_count + row.failed_count;
  if (!row.started_at || finished === 0) return null;
  const elapsedSeconds = Math.max((now.getTime() - row.started_at.getTime()) / 1000, 0.001);
  return Math.ceil(open / (finished / elapsedSeconds));
}
