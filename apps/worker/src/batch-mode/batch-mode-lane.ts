import { Injectable, Logger } from '@nestjs/common';
import { GeminiBatches, UpstreamError } from '@keyfleet/upstream';
import { BatchModeJobsStore, type BatchModeJobRow, type EconomyBatch } from './batch-mode-jobs.store';
import { BatchModeResults } from './batch-mode-results';
import { BatchModeSubmitter, stateOf } from './batch-mode-submitter';
import { EconomyBudget } from './economy-budget';

/** What a round of an economy batch came to. */
export type Progress = 'done' | 'changed' | 'waiting';

const ENDED = new Set(['succeeded', 'failed', 'cancelled', 'expired']);

/**
 * One round of an economy batch through Google's Batch Mode: follow its jobs (resume one whose creation
 * was not confirmed, poll the others, merge the results of those that ended), then submit waiting items
 * the projects have room for. A cancelled batch has its jobs cancelled at Google. Everything it needs is
 * in Postgres, so any worker can run the next round.
 */
@Injectable()
export class BatchModeLane {
  private readonly logger = new Logger(BatchModeLane.name);

  constructor(
    private readonly jobs: BatchModeJobsStore,
    private readonly submitter: BatchModeSubmitter,
    private readonly results: BatchModeResults,
    private readonly google: GeminiBatches,
    private readonly budget: EconomyBudget,
  ) {}

  async advance(batchId: string): Promise<Progress> {
    const batch = await this.jobs.batch(batchId);
    if (!batch) return 'done';
    const open = await this.jobs.openJobs(batchId);
    if (batch.status === 'cancelled') {
      for (const job of open) await this.cancel(job);
      return 'done';
    }
    let changed = false;
    for (const job of open) changed = (await this.follow(batch, job)) || changed;
    const now = (await this.jobs.batch(batchId)) ?? batch;
    // A paused batch (its client's budget) submits nothing new; its jobs already at Google finish.
    if (!now.laneLive && (now.status === 'queued' || now.status === 'running')) {
      changed = (await this.submitter.submitWaiting(now)) > 0 || changed;
    }
    const left = await this.jobs.openJobs(batchId);
    const after = (await this.jobs.batch(batchId)) ?? now;
    if (left.length === 0 && (after.laneLive || after.pendingCount === 0)) return 'done';
    return changed ? 'changed' : 'waiting';
  }

  /** True when the job moved on. An upstream failure leaves it for the next round. */
  private async follow(batch: EconomyBatch, job: BatchModeJobRow): Promise<boolean> {
    try {
      if (!job.name) return await this.submitter.resume(batch, job);
      const key = await this.submitter.keyOf(job);
      if (!key) return false;
      const status = await this.google.get(key, job.name);
      const state = stateOf(status);
      if (!ENDED.has(state)) {
        if (state !== job.state) await this.jobs.setState(job.id, state);
        return state !== job.state;
      }
      if (state === 'succeeded') {
        const keys = (await this.jobs.runningItems(job)).map((item) => item.key);
        await this.results.merge(batch, job, await this.google.results(key, status, keys));
      } else {
        await this.results.unanswered(
          batch,
          job,
          `${state === 'expired' ? 'let the job expire' : `ended the job ${state}`}`,
        );
      }
      await this.jobs.setState(job.id, state, true);
      return true;
    } catch (error) {
      if (!(error instanceof UpstreamError)) throw error;
      this.logger.warn(`Batch Mode job ${job.id}: ${String(error)}; asked again next round`);
      return false;
    }
  }

  /** Cancels the job at Google (found by name first if its creation was not confirmed); its items end cancelled. */
  private async cancel(job: BatchModeJobRow): Promise<void> {
    const key = await this.submitter.keyOf(job);
    if (key) {
      try {
        if (job.name) await this.google.cancel(key, job.name);
        else await this.submitter.cancelUnconfirmed(job, key);
      } catch (error) {
        if (!(error instanceof UpstreamError)) throw error;
        this.logger.warn(`cancelling Batch Mode job ${job.id}: ${String(error)}`);
      }
    }
    await this.results.cancelled(job);
    await this.budget.settle(await this.jobs.takeHold(job.id), 0);
    await this.jobs.setState(job.id, 'cancelled', true);
  }
}
