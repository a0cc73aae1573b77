import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, register } from 'prom-client';
import { FLEET_GAUGES, METRICS, type FleetGaugeName, type MetricName } from './metric-names';

/** Upstream latency buckets (s): thinking models take over a minute, flash calls well under one. */
const LATENCY_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120];
/** Admission wait buckets (s): 0 is "room now"; a full Pacific day is the longest wait there is. */
const WAIT_BUCKETS = [0, 0.01, 0.1, 0.5, 1, 2, 5, 10, 30, 60, 300, 3600, 86_400];

/** One project × model × dimension of the quota gauges. */
export interface QuotaSample {
  project: string;
  model: string;
  /** rpm | tpm | rpd | tpd (and spend once projects have a spend limit). */
  dimension: string;
  used: number;
  limit: number;
}

/** What a fleet reader writes at scrape time: state read from Postgres and Redis, shared by every process. */
export interface FleetSnapshot {
  quota: QuotaSample[];
  keys: Array<{ project: string; status: string; count: number }>;
  /** Active keys only: days until each one's rotation is due (negative when overdue). */
  rotationDue: Array<{ project: string; keyId: string; days: number }>;
  batchItems: Array<{ model: string; status: string; count: number }>;
  /** Pending items per model (Postgres holds the backlog). */
  queueDepth: Array<{ model: string; pending: number }>;
}

export type FleetReader = () => Promise<FleetSnapshot>;

// How long one fleet read serves scrapes: Prometheus and a dashboard may scrape within the same seconds.
const FLEET_CACHE_MS = 2_000;

// Metrics live in prom-client's default registry, once per process, whatever the number of Nest contexts
// (the tests start several): a second KeyfleetMetrics reuses the first one's definitions.
function counter(name: MetricName, labelNames: string[]): Counter {
  return (
    (register.getSingleMetric(name) as Counter | undefined) ??
    new Counter({ name, help: METRICS[name], labelNames })
  );
}

function histogram(name: MetricName, labelNames: string[], buckets: number[]): Histogram {
  return (
    (register.getSingleMetric(name) as Histogram | undefined) ??
    new Histogram({ name, help: METRICS[name], labelNames, buckets })
  );
}

/**
 * keyfleet's own metrics, named by what happened. Events are counted where they happen (one line at the
 * call site); fleet-wide state (quota use, keys, batches, backlog) is read once per scrape by the process
 * that registered a FleetReader (the api).
 */
@Injectable()
export class KeyfleetMetrics {
  private readonly upstreamResponses = counter('keyfleet_upstream_responses_total', [
    'model',
    'status',
    'quota_id',
  ]);
  private readonly upstreamLatency = histogram(
    'keyfleet_upstream_latency_seconds',
    ['model', 'status'],
    LATENCY_BUCKETS,
  );
  private readonly admissionWait = histogram(
    'keyfleet_admission_wait_seconds',
    ['model', 'lane'],
    WAIT_BUCKETS,
  );
  private readonly clientThrottled = counter('keyfleet_client_throttled_total', ['model']);
  private readonly budgetRefusals = counter('keyfleet_client_budget_refusals_total', [
    'model',
    'period',
    'kind',
  ]);
  private readonly itemsFinished = counter('keyfleet_batch_items_finished_total', ['model', 'outcome']);
  private readonly repairs = counter('keyfleet_reconciler_repairs_total', ['kind']);

  /** Google answered (any status; network failures count as the status the classifier gives them). */
  upstreamAnswered(model: string, status: number, seconds: number, quotaId: string | null = null): void {
    const code = String(status);
    this.upstreamResponses.inc({ model, status: code, quota_id: quotaId ?? '' });
    this.upstreamLatency.observe({ model, status: code }, seconds);
  }

  /** The quota engine answered an admission: 0 for room now, else how long it said to wait. */
  admissionAnswered(model: string, lane: string, waitMs: number): void {
    this.admissionWait.observe({ model, lane }, Math.max(0, waitMs) / 1000);
  }

  /** keyfleet itself answered a client 429 (the pool had no room within the interactive wait). */
  clientThrottledByPool(model: string): void {
    this.clientThrottled.inc({ model });
  }

  /** A client's budget refused an interactive call, or paused a batch. */
  clientBudgetRefused(model: string, period: string, kind: 'interactive' | 'batch'): void {
    this.budgetRefusals.inc({ model, period, kind });
  }

  /** A batch item reached a final state in this worker. */
  batchItemFinished(model: string, outcome: 'succeeded' | 'failed' | 'cancelled'): void {
    this.itemsFinished.inc({ model, outcome });
  }

  /** Recovery repaired the dispatch state: `orphaned_item`, a dead worker's running item handed back to waiting. */
  reconcilerRepaired(kind: 'orphaned_item', count: number): void {
    if (count > 0) this.repairs.inc({ kind }, count);
  }

  /** Makes this process export the fleet gauges, read by `reader` at most every FLEET_CACHE_MS. */
  exportFleet(reader: FleetReader): FleetExport {
    return new FleetExport(reader);
  }
}

/** The fleet gauges of one process: every gauge waits for one shared, briefly cached read. */
export class FleetExport {
  private readonly gauges: Record<FleetGaugeName, Gauge>;
  private read: { at: number; done: Promise<void> } | null = null;

  constructor(private readonly reader: FleetReader) {
    const collect = () => this.refresh();
    const gauge = (name: FleetGaugeName, labelNames: string[]) => {
      register.removeSingleMetric(name); // the newest reader wins (one per process in production)
      return new Gauge({ name, help: METRICS[name], labelNames, collect });
    };
    this.gauges = {
      keyfleet_quota_used: gauge('keyfleet_quota_used', ['project', 'model', 'dimension']),
      keyfleet_quota_limit: gauge('keyfleet_quota_limit', ['project', 'model', 'dimension']),
      keyfleet_upstream_keys: gauge('keyfleet_upstream_keys', ['project', 'status']),
      keyfleet_upstream_key_rotation_due_days: gauge('keyfleet_upstream_key_rotation_due_days', [
        'project',
        'key_id',
      ]),
      keyfleet_batch_items: gauge('keyfleet_batch_items', ['model', 'status']),
      keyfleet_queue_depth: gauge('keyfleet_queue_depth', ['model']),
    };
  }

  /** Stops exporting (tests, shutdown). */
  stop(): void {
    for (const name of FLEET_GAUGES) register.removeSingleMetric(name);
  }

  private refresh(): Promise<void> {
    const now = Date.now();
    if (this.read && now - this.read.at < FLEET_CACHE_MS) return this.read.done;
    const done = this.reader().then(
      (snapshot) => this.write(snapshot),
      () => {
        this.read = null; // a failed read (Postgres down) leaves the last values; the next scrape tries again
      },
    );
    this.read = { at: now, done };
    return done;
  }

  private write(snapshot: FleetSnapshot): void {
    for (const gauge of Object.values(this.gauges)) gauge.reset();
    const g = this.gauges;
    for (const { project, model, dimension, used, limit } of snapshot.quota) {
      g.keyfleet_quota_used.set({ project, model, dimension }, used);
      g.keyfleet_quota_limit.set({ project, model, dimension }, limit);
    }
    for (const { project, status, count } of snapshot.keys)
      g.keyfleet_upstream_keys.set({ project, status }, count);
    for (const { project, keyId, days } of snapshot.rotationDue)
      g.keyfleet_upstream_key_rotation_due_days.set({ project, key_id: keyId }, days);
    for (const { model, status, count } of snapshot.batchItems)
      g.keyfleet_batch_items.set({ model, status }, count);
    for (const { model, pending } of snapshot.queueDepth) g.keyfleet_queue_depth.set({ model }, pending);
  }
}
