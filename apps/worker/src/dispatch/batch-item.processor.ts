import { Inject, Injectable, Logger } from '@nestjs/common';
import { DelayedError, type Job } from 'bullmq';
import { UpstreamPicker, type UpstreamSlot } from '@keyfleet/admission';
import { KEYFLEET_CONFIG, type KeyfleetConfig } from '@keyfleet/config';
import { BatchItemsStore, type ClaimedItem } from '@keyfleet/batches';
import type { BatchItemJob } from '@keyfleet/queue';
import { UpstreamKeysService } from '@keyfleet/registry';
import {
  classifyUpstreamError,
  GeminiClient,
  type ClassifiedUpstreamError,
  type GenerateContentRequestBody,
} from '@keyfleet/upstream';
import { DISPATCH_TIMING, retryDelayMs, type DispatchTiming } from './dispatch-timing';

/** What became of one delivery: the item is final (or someone else's), or it waits and the job comes back later. */
type Outcome = { kind: 'done' } | { kind: 'wait'; delayMs: number };

const DONE: Outcome = { kind: 'done' };
const wait = (delayMs: number): Outcome => ({ kind: 'wait', delayMs });

/**
 * Sends one batch item upstream and records the result exactly once (the store's conditional updates).
 * Retries are ours: a wait releases the item (running → pending) and moves the job to `delayed`;
 * only transient failures use up an attempt.
 */
@Injectable()
export class BatchItemProcessor {
  private readonly logger = new Logger(BatchItemProcessor.name);

  constructor(
    @Inject(KEYFLEET_CONFIG) private readonly config: KeyfleetConfig,
    @Inject(DISPATCH_TIMING) private readonly timing: DispatchTiming,
    private readonly store: BatchItemsStore,
    private readonly picker: UpstreamPicker,
    private readonly gemini: GeminiClient,
    private readonly keys: UpstreamKeysService,
  ) {}

  async process(job: Job<BatchItemJob>, token?: string): Promise<void> {
    const item = await this.store.claim(job.data.itemId);
    if (!item) return; // final already, or cancelled: a repeated or stale delivery
    const outcome = await this.dispatch(job.data.model, item);
    if (outcome.kind === 'done') return;
    if (!(await this.store.release(item.id))) return; // finished meanwhile by another delivery
    await job.moveToDelayed(Date.now() + outcome.delayMs, token);
    throw new DelayedError();
  }

  private async dispatch(model: string, item: ClaimedItem): Promise<Outcome> {
    const excludedKeys = new Set<string>();
    for (let switches = 0; switches <= this.timing.maxKeySwitches; switches++) {
      const request = item.request as GenerateContentRequestBody;
      // Quota room is reserved here; a wait is the exact moment a project will have room.
      const admission = await this.picker.admit(model, request, excludedKeys);
      if ('waitMs' in admission) return wait(admission.waitMs);
      if ('impossible' in admission) {
        await this.store.fail(item.id, {
          code: 400,
          message: admission.impossible,
          status: 'INVALID_ARGUMENT',
        });
        return DONE;
      }
      const { slot } = admission;
      let failure: ClassifiedUpstreamError;
      try {
        const result = await this.gemini.generateContent(model, request, slot.key);
        await this.picker.settle(slot, result.promptTokenCount);
        await this.store.succeed(item.id, result.response, originOf(slot, result.promptTokenCount));
        return DONE;
      } catch (error) {
        failure = classifyUpstreamError(error);
      }
      await this.picker.settleFailure(slot, failure);
      // A 429 blocked that project in the quota engine: ask again at once, without using an attempt.
      if (failure.kind === 'quota') continue;
      if (failure.kind === 'invalid_key' || failure.kind === 'key_blocked') {
        await this.takeOutOfService(slot, failure);
        excludedKeys.add(slot.key.id);
        continue; // at once, on another key, without using an attempt
      }
      return this.afterFailure(item, slot, failure);
    }
    return wait(this.timing.noCapacityWaitMs);
  }

  private async afterFailure(
    item: ClaimedItem,
    slot: UpstreamSlot,
    failure: ClassifiedUpstreamError,
  ): Promise<Outcome> {
    switch (failure.kind) {
      case 'transient': {
        const used = await this.store.useAttempt(item.id);
        if (used === null) return DONE; // no longer running: recorded by another delivery
        if (used < this.config.worker.maxAttempts) return wait(retryDelayMs(used, this.timing));
        await this.store.fail(item.id, itemErrorOf(failure), originOf(slot, null));
        return DONE;
      }
      default:
        await this.store.fail(item.id, itemErrorOf(failure), originOf(slot, null));
        return DONE;
    }
  }

  private async takeOutOfService(slot: UpstreamSlot, failure: ClassifiedUpstreamError): Promise<void> {
    const reason = `upstream ${failure.status} ${failure.reason ?? failure.rpcStatus}`;
    this.logger.warn(
      `key …${slot.key.lastFour} of project ${slot.project.name} taken out of service: ${reason}`,
    );
    await this.keys.takeOutOfService(slot.key.id, reason, 'worker');
  }
}

function originOf(slot: UpstreamSlot, promptTokens: number | null) {
  return { projectId: slot.project.projectId, upstreamKeyId: slot.key.id, promptTokens };
}

function itemErrorOf(failure: ClassifiedUpstreamError) {
  return { code: failure.status, message: failure.message, status: failure.rpcStatus };
}
