import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { tokensOfEstimate, tokensOfResponse, UsagePricer, type ItemUsage } from '@keyfleet/accounting';
import { DispatchPolicy, UpstreamPicker, type SendOutcome, type UpstreamSlot } from '@keyfleet/admission';
import { BatchItemsStore, type TakenItem } from '@keyfleet/batches';
import { KEYFLEET_CONFIG, type KeyfleetConfig } from '@keyfleet/config';
import { KeyfleetMetrics } from '@keyfleet/observability';
import type { ItemError } from '@keyfleet/persistence';
import { requestKindOf } from '@keyfleet/queue';
import {
  GeminiClient,
  UpstreamError,
  type ClassifiedUpstreamError,
  type EmbedContentResult,
  type GenerateContentRequestBody,
  type GenerateContentResult,
  type SendWindow,
} from '@keyfleet/upstream';
import { BatchBudgetGate } from './batch-budget-gate';
import { DISPATCH_TIMING, retryDelayMs, type DispatchTiming } from './dispatch-timing';
import { ItemHandback } from './item-handback';
import { untilWritten } from './until-written';
import { WorkerIdentity } from './worker-identity';

/**
 * Runs one taken item (running, under this worker's lease, its quota room reserved) to its end: sent
 * through the dispatch policy, then its result recorded exactly once. A transient failure uses an
 * attempt and is retried here after a backoff; a wait for room longer than a moment sends the item back
 * to waiting (its batch gets turns again). An answer that arrived is kept until Postgres has it.
 */
@Injectable()
export class BatchItemRunner {
  private readonly logger = new Logger(BatchItemRunner.name);

  constructor(
    @Inject(KEYFLEET_CONFIG) private readonly config: KeyfleetConfig,
    @Inject(DISPATCH_TIMING) private readonly timing: DispatchTiming,
    private readonly policy: DispatchPolicy,
    private readonly picker: UpstreamPicker,
    private readonly gemini: GeminiClient,
    private readonly store: BatchItemsStore,
    private readonly handback: ItemHandback,
    private readonly identity: WorkerIdentity,
    private readonly metrics: KeyfleetMetrics,
    private readonly pricer: UsagePricer,
    private readonly budget: BatchBudgetGate,
  ) {}

  /**
   * Never rejects: an unexpected failure sends the item back to waiting. `onWritten` is told when its
   * request has been written upstream (each time, if it is sent again).
   */
  async run(model: string, item: TakenItem<UpstreamSlot>, onWritten?: () => void): Promise<void> {
    try {
      await this.runToEnd(model, item, onWritten);
    } catch (error) {
      this.budget.release(item.id);
      this.logger.error(`item ${item.id} stopped, it waits again: ${String(error)}`);
      await this.sendBackToWait(item).catch(() => undefined); // else lease recovery, if we die
    }
  }

  private async runToEnd(
    model: string,
    item: TakenItem<UpstreamSlot>,
    onWritten: (() => void) | undefined,
  ): Promise<void> {
    let slot: UpstreamSlot | undefined = item.slot;
    const request = item.request as GenerateContentRequestBody;
    for (;;) {
      const result = await this.policy.dispatch<ItemAnswer>(
        {
          model,
          lane: 'batch',
          estimate: request,
          send: (key, window) => this.send(model, request, key, { ...window, onWritten }),
        },
        { slot, maxWaitMs: this.timing.holdWaitMaxMs, bookAheadMs: this.timing.bookAheadMs },
      );
      slot = undefined;
      switch (result.kind) {
        case 'ok':
          return this.succeed(model, item, result.value, result.slot);
        case 'impossible':
          return this.fail(
            model,
            item,
            { code: 400, message: result.reason, status: 'INVALID_ARGUMENT' },
            null,
          );
        case 'wait':
          return this.sendBackToWait(item);
        case 'failed':
          if (!(await this.retryAfter(item, result.failure, result.slot))) return;
      }
    }
  }

  private async send(
    model: string,
    request: GenerateContentRequestBody,
    key: { secret: string },
    window: SendWindow,
  ): Promise<SendOutcome<ItemAnswer>> {
    try {
      const value =
        requestKindOf(model) === 'embed'
          ? await this.gemini.embedContent(model, request, key, window)
          : await this.gemini.generateContent(model, request, key, window);
      return { kind: 'ok', value };
    } catch (error) {
      if (error instanceof UpstreamError) return { kind: 'failed', failure: error.classified };
      throw error; // SendDeadlinePassedError: the policy gives the room back
    }
  }

  private async succeed(
    model: string,
    item: TakenItem<UpstreamSlot>,
    result: ItemAnswer,
    slot: UpstreamSlot,
  ): Promise<void> {
    this.picker
      .settle(slot, result.promptTokenCount, result.sentAt, result.outputTokenCount)
      .catch((error: unknown) => this.logger.warn(`correcting a reservation of ${model}: ${String(error)}`));
    const origin = originOf(slot, result.promptTokenCount);
    const recorded = await untilWritten(
      `result of item ${item.id}`,
      // Priced in the retried write: the price table may need Postgres too.
      async () => {
        const usage = await this.usageOf(model, result, slot);
        this.budget.settle(item.id, usage.costMicroUsd); // the budget counts what accounting records
        return this.store.succeed(item, result.response, { ...origin, usage });
      },
      {
        onUnwritable: () =>
          this.store.fail(item.id, unstorableAnswer(), { projectId: origin.projectId, upstreamKeyId: null }),
      },
    );
    if (recorded) this.metrics.batchItemFinished(model, 'succeeded');
  }

  /**
   * What the answer used (its usageMetadata; an embedding's, which has none, is its estimate) and cost at
   * the live price: recorded with the result.
   */
  private async usageOf(model: string, result: ItemAnswer, slot: UpstreamSlot): Promise<ItemUsage> {
    const tokens =
      result.promptTokenCount === null
        ? tokensOfEstimate(slot.reservation.tokens)
        : tokensOfResponse(result.response);
    return { ...tokens, lane: 'live', costMicroUsd: await this.pricer.costMicroUsd(model, 'live', tokens) };
  }

  private async fail(
    model: string,
    item: TakenItem<UpstreamSlot>,
    error: ItemError,
    slot: UpstreamSlot | null,
  ) {
    this.budget.release(item.id); // Google does not bill a failed call
    const origin = slot ? originOf(slot, null) : {};
    const recorded = await untilWritten(`failure of item ${item.id}`, () =>
      this.store.fail(item.id, error, origin),
    );
    if (recorded) this.metrics.batchItemFinished(model, 'failed');
  }

  /** A transient failure uses an attempt: retried after a backoff while attempts remain. */
  private async retryAfter(
    item: TakenItem<UpstreamSlot>,
    failure: ClassifiedUpstreamError,
    slot: UpstreamSlot,
  ): Promise<boolean> {
    const error = { code: failure.status, message: failure.message, status: failure.rpcStatus };
    if (failure.kind !== 'transient') {
      await this.fail(slot.reservation.model, item, error, slot);
      return false;
    }
    const used = await untilWritten(`attempt of item ${item.id}`, () => this.store.useAttempt(item.id));
    if (used === null) return false; // no longer running: recorded by another runner
    if (used >= this.config.worker.maxAttempts) {
      await this.fail(slot.reservation.model, item, error, slot);
      return false;
    }
    await sleep(retryDelayMs(used, this.timing));
    return true;
  }

  /** No room for a while: the item waits again in Postgres, and its batch gets turns again. */
  private async sendBackToWait(item: TakenItem<UpstreamSlot>): Promise<void> {
    this.budget.release(item.id); // held again when it is taken again
    await untilWritten(`release of item ${item.id}`, () =>
      this.handback.handBack([item.id], this.identity.id),
    );
  }
}

/** A generation's answer, or an embedding's (which counts no tokens of its own). */
type ItemAnswer = GenerateContentResult | EmbedContentResult;

function originOf(slot: UpstreamSlot, promptTokens: number | null) {
  return { projectId: slot.project.projectId, upstreamKeyId: slot.key.id, promptTokens };
}

function unstorableAnswer(): ItemError {
  return { code: 500, message: 'the upstream answer could not be stored', status: 'INTERNAL' };
}
