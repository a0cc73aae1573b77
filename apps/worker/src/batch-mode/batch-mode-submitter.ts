import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { BATCH_MODE_LEASE, BatchItemsStore } from '@keyfleet/batches';
import { KEYFLEET_CONFIG, type KeyfleetConfig } from '@keyfleet/config';
import type { BatchModeJobState } from '@keyfleet/persistence';
import { PoolService } from '@keyfleet/registry';
import { GeminiBatches, UpstreamError, type BatchModeJobStatus } from '@keyfleet/upstream';
import { BatchModeJobsStore, type BatchModeJobRow, type EconomyBatch } from './batch-mode-jobs.store';
import { planJobs } from './batch-mode-plan';
import { BatchModeResults } from './batch-mode-results';
import { EconomyBudget } from './economy-budget';

// Refusals that say "not now" (limits) or "not this key": the items wait for a later round.
const WAIT_STATUSES = new Set([401, 403, 429]);

// Items read per round to plan jobs from; the rest are planned in later rounds.
const MAX_PLANNED_ITEMS = 100_000;

/**
 * Creates the Batch Mode jobs of an economy batch: its waiting items split across the projects serving
 * the model within their Batch Mode limits. Each job is recorded (with its items running under Batch
 * Mode) before Google hears of it, under the display name `kf-<job id>`; a job whose creation's answer
 * was lost is found again by that name, so nothing is submitted twice.
 */
@Injectable()
export class BatchModeSubmitter {
  private readonly logger = new Logger(BatchModeSubmitter.name);

  constructor(
    @Inject(KEYFLEET_CONFIG) private readonly config: KeyfleetConfig,
    private readonly pool: PoolService,
    private readonly jobs: BatchModeJobsStore,
    private readonly items: BatchItemsStore,
    private readonly google: GeminiBatches,
    private readonly budget: EconomyBudget,
    private readonly results: BatchModeResults,
  ) {}

  /** Submits what the projects have room for now; returns how many jobs were created. */
  async submitWaiting(batch: EconomyBatch): Promise<number> {
    const projects = await this.pool.poolFor(batch.model);
    if (projects.length === 0) return 0;
    const loads = await this.jobs.loads(
      projects.map((project) => project.projectId),
      batch.model,
    );
    const waiting = await this.jobs.pendingItems(batch.id, MAX_PLANNED_ITEMS);
    let created = 0;
    for (const planned of planJobs(waiting, loads, this.config.batchMode.jobMaxItems)) {
      const { count, hold } = await this.budget.hold(batch, planned.items);
      if (count === 0) break; // the budget has no room: the batch is paused
      const items = planned.items.slice(0, count);
      const job: BatchModeJobRow = {
        id: randomUUID(),
        batch_id: batch.id,
        project_id: planned.projectId,
        model: batch.model,
        first_line: items[0].lineNo,
        last_line: items[items.length - 1].lineNo,
        est_tokens: items.reduce((sum, item) => sum + item.estTokens, 0),
        name: null,
        state: 'submitting',
        input_file: null,
        budget_hold: hold,
      };
      const ids = items.map((item) => item.id);
      if (!(await this.jobs.record(job, ids))) {
        await this.budget.settle(hold, 0);
        break; // the batch moved on (cancelled): stop here
      }
      if (!(await this.submit(batch, job))) break; // refused (limits reached meanwhile): later
      created++;
      if (count < planned.items.length) break; // the rest waits for the budget
    }
    return created;
  }

  /** A job recorded but not known to be created: found at Google by its display name, else created now. */
  async resume(batch: EconomyBatch, job: BatchModeJobRow): Promise<boolean> {
    const key = await this.keyOf(job);
    if (!key) return false;
    const found = await this.google.findByDisplayName(key, displayNameOf(job));
    if (found) {
      await this.jobs.named(job.id, found.name, stateOf(found), null);
      return true;
    }
    return this.submit(batch, job);
  }

  /** A cancelled batch's job whose creation was not confirmed: cancelled at Google if it exists there. */
  async cancelUnconfirmed(job: BatchModeJobRow, key: { secret: string }): Promise<void> {
    const found = await this.google.findByDisplayName(key, displayNameOf(job));
    if (found) await this.google.cancel(key, found.name);
  }

  /**
   * Creates the job at Google. Refused for its limits or its key (429, 401, 403): forgotten, its items
   * wait for a later round. Refused for its requests (another 4xx): they go to the live lane. No answer:
   * resumed (looked up by name) in the next round.
   */
  private async submit(batch: EconomyBatch, job: BatchModeJobRow): Promise<boolean> {
    const key = await this.keyOf(job);
    if (!key) return false;
    const running = await this.jobs.runningItems(job, true);
    try {
      const entries = running.map((item) => ({ key: item.key, request: item.request as never }));
      const created = await this.google.create(key, job.model, displayNameOf(job), entries);
      await this.jobs.named(job.id, created.name, stateOf(created), created.inputFile);
      return true;
    } catch (error) {
      const status = error instanceof UpstreamError ? error.classified.status : 500;
      this.logger.warn(`Batch Mode job ${job.id} (project ${job.project_id}): not created: ${String(error)}`);
      if (status >= 500) return false;
      await this.budget.settle(await this.jobs.takeHold(job.id), 0);
      if (WAIT_STATUSES.has(status)) {
        await this.jobs.forget(job.id);
        await this.items.release(
          running.map((item) => item.id),
          BATCH_MODE_LEASE,
        );
      } else {
        await this.results.unanswered(batch, job, `refused the job (${status})`);
        await this.jobs.setState(job.id, 'failed', true);
      }
      return false;
    }
  }

  /** A pool key of the job's project. */
  async keyOf(job: Pick<BatchModeJobRow, 'model' | 'project_id'>): Promise<{ secret: string } | null> {
    const projects = await this.pool.poolFor(job.model);
    return projects.find((project) => project.projectId === job.project_id)?.keys[0] ?? null;
  }
}

export function displayNameOf(job: Pick<BatchModeJobRow, 'id'>): string {
  return `kf-${job.id}`;
}

/** Google's job state (`JOB_STATE_*` as the SDK maps `BATCH_STATE_*`) as keyfleet records it. */
export function stateOf(job: Pick<BatchModeJobStatus, 'state'>): BatchModeJobState {
  switch (job.state) {
    case 'JOB_STATE_SUCCEEDED':
      return 'succeeded';
    case 'JOB_STATE_FAILED':
      return 'failed';
    case 'JOB_STATE_CANCELLED':
      return 'cancelled';
    case 'JOB_STATE_EXPIRED':
      return 'expired';
    case 'JOB_STATE_PENDING':
    case 'JOB_STATE_QUEUED':
      return 'pending';
    default:
      return 'running';
  }
}
