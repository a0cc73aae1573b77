import { Injectable, Logger } from '@nestjs/common';
import { tokensOfResponse, UsagePricer, type ItemUsage } from '@keyfleet/accounting';
import { BATCH_MODE_LEASE, BatchItemsStore } from '@keyfleet/batches';
import type { ItemError } from '@keyfleet/persistence';
import type { BatchModeResult } from '@keyfleet/upstream';
import { ItemHandback } from '../dispatch/item-handback';
import { BatchModeJobsStore, type BatchModeJobRow, type EconomyBatch } from './batch-mode-jobs.store';

/**
 * Brings a Batch Mode job's outcome into the batch: each answer becomes its item's result (priced at
 * the economy lane's price, recorded with it), and the items without one (an error line, a failed or
 * expired job) go to the live lane while the batch's deadline allows, else get an error result.
 */
@Injectable()
export class BatchModeResults {
  private readonly logger = new Logger(BatchModeResults.name);

  constructor(
    private readonly items: BatchItemsStore,
    private readonly jobs: BatchModeJobsStore,
    private readonly handback: ItemHandback,
    private readonly pricer: UsagePricer,
  ) {}

  /** Stores the job's answers; returns what they cost (micro-dollars, at the economy price). */
  async merge(
    batch: EconomyBatch,
    job: BatchModeJobRow,
    results: readonly BatchModeResult[],
  ): Promise<number> {
    const byKey = new Map(results.map((result) => [result.key, result]));
    const left: Array<{ id: string; error?: BatchModeResult['error'] }> = [];
    let micros = 0;
    const running = await this.jobs.runningItems(job);
    await Promise.all(
      running.map(async (item) => {
        const result = byKey.get(item.key);
        if (!result?.response) return left.push({ id: item.id, error: result?.error });
        const usage = await this.usageOf(job.model, result.response);
        const origin = {
          projectId: job.project_id,
          upstreamKeyId: null,
          promptTokens: usage.inputTokens,
          usage,
        };
        const ref = { id: item.id, batchId: job.batch_id };
        if (await this.items.succeed(ref, result.response, origin)) micros += usage.costMicroUsd;
      }),
    );
    await this.withoutAnswer(batch, job, left, 'answered these requests with an error');
    return micros;
  }

  /** Every item the job still holds goes live (or fails past the deadline): the job ended without answers. */
  async unanswered(batch: EconomyBatch, job: BatchModeJobRow, why: string): Promise<number> {
    const running = await this.jobs.runningItems(job);
    await this.withoutAnswer(batch, job, running, why);
    return running.length;
  }

  /** The job's items, for a cancelled batch: cancelled (a running item of a cancelled batch ends so). */
  async cancelled(job: BatchModeJobRow): Promise<void> {
    const running = await this.jobs.runningItems(job);
    await this.items.release(
      running.map((item) => item.id),
      BATCH_MODE_LEASE,
    );
  }

  private async withoutAnswer(
    batch: EconomyBatch,
    job: BatchModeJobRow,
    items: ReadonlyArray<{ id: string; error?: BatchModeResult['error'] }>,
    why: string,
  ): Promise<void> {
    if (items.length === 0) return;
    if (batch.deadline === null || batch.deadline.getTime() > Date.now()) {
      this.logger.log(`batch ${batch.id}: Batch Mode ${why}; ${items.length} items go to the live lane`);
      await this.jobs.goLive(batch.id);
      await this.handback.handBack(
        items.map((item) => item.id),
        BATCH_MODE_LEASE,
      );
      return;
    }
    for (const item of items) {
      await this.items.fail(item.id, errorOf(item.error, why), { projectId: job.project_id });
    }
  }

  private async usageOf(model: string, response: Record<string, unknown>): Promise<ItemUsage> {
    const tokens = tokensOfResponse(response);
    return {
      ...tokens,
      lane: 'economy',
      costMicroUsd: await this.pricer.costMicroUsd(model, 'economy', tokens),
    };
  }
}

/** Google's own error for the request, or a deadline error when the job ended without one. */
function errorOf(error: BatchModeResult['error'], why: string): ItemError {
  if (error?.code !== undefined && error.message !== undefined) {
    return { code: error.code, message: error.message, status: error.status ?? 'UNKNOWN' };
  }
  return {
    code: 504,
    message: `Google's Batch Mode ${why} and the batch's deadline has passed: not retried live`,
    status: 'DEADLINE_EXCEEDED',
  };
}
