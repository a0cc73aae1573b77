/**
 * Every metric keyfleet defines, with its help text (the README's metrics table lists each of them; a
 * test checks it does). The rotator's own counters are in apps/rotator (rotation-metrics.ts).
 */
export const METRICS = {
  keyfleet_upstream_responses_total:
    "Answers from Google by model, HTTP status and the 429's quotaId (network failures: 503, timeouts: 504)",
  keyfleet_upstream_latency_seconds:
    'Time from sending a request to Google until its answer (headers for relayed calls)',
  keyfleet_admission_wait_seconds:
    'How long the quota engine said a request must wait for room, per admission (0 = room now)',
  keyfleet_client_throttled_total:
    "keyfleet's own 429s to clients: no project had room within KF_INTERACTIVE_MAX_WAIT_MS",
  keyfleet_client_budget_refusals_total:
    "Calls refused (kind=interactive, 429) and batches paused (kind=batch) at a client's budget",
  keyfleet_batch_items_finished_total: 'Batch items this worker brought to a final state',
  keyfleet_reconciler_repairs_total:
    "Repairs of the dispatch state by recovery (orphaned_item: a dead worker's running item handed back)",
  keyfleet_quota_used:
    'Used in the current window (rpm, tpm: rolling 60 s; spend: micro-dollars in the rolling spend window, the project or its billing group over all models) or Pacific day (rpd, tpd), per project × model × dimension',
  keyfleet_quota_limit: 'The limit of each project × model × dimension (absent when there is none)',
  keyfleet_upstream_keys: 'Upstream keys per project and status (active, retiring, disabled, revoked)',
  keyfleet_upstream_key_rotation_due_days: 'Days until an active key is due for rotation (negative: overdue)',
  keyfleet_batch_items: 'Batch items per model and status, over all batches kept in Postgres',
  keyfleet_queue_depth: 'Items waiting to be sent, per model (pending items of open batches, from Postgres)',
} as const;

export type MetricName = keyof typeof METRICS;

/** The gauges read at scrape time from Postgres and Redis (fleet-wide state, exported by the api). */
export const FLEET_GAUGES = [
  'keyfleet_quota_used',
  'keyfleet_quota_limit',
  'keyfleet_upstream_keys',
  'keyfleet_upstream_key_rotation_due_days',
  'keyfleet_batch_items',
  'keyfleet_queue_depth',
] as const satisfies readonly MetricName[];

export type FleetGaugeName = (typeof FLEET_GAUGES)[number];
