import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { DelayedError, RateLimitError, type Job } from 'bullmq';
import { UpstreamPicker, type UpstreamSlot } from '@keyfleet/admission';
import { KEYFLEET_CONFIG, type KeyfleetConfig } from '@keyfleet/config';
import { KeyfleetMetrics } from '@keyfleet/observability';
import type { BatchItemStatus } from '@keyfleet/persistence';
import { BatchItemsStore, type ClaimedItem } from '@keyfleet/batches';
import { DispatchQueues, type BatchItemJob } from '@keyfleet/queue';
import { UpstreamKeysService } from '@keyfleet/registry';
import {
  classifyUpstreamError,
  GeminiClient,
  SendDeadlinePassedError,
  type ClassifiedUpstreamError,
  type GenerateContentRequestBody,
} from '@keyfleet/upstream';
import { DISPATCH_TIMING, retryDelayMs, type DispatchTiming } from './dispatch-timing';
import { ItemClaim } from './item-claim';

const FINAL: ReadonlySet<BatchItemStatus> = new Set(['succeeded', 'failed', 'cancelled']);

/**
 * What became of one delivery: the item is final (or someone else's); no project has room for the model
 * until `delayMs` (the whole model waits); or this item alone waits (a transient retry).
 */
type Outcome = { kind: 'done' } | { kind: 'noRoom'; delayMs: number } | { kind: 'retry'; delayMs: number };

const DONE: Outcome = { kind: 'done' };
const noRoom = (delayMs: number): Outcome => ({ kind: 'noRoom', delayMs });
const retry = (delayMs: number): Outcome => ({ kind: 'retry', delayMs });

/**
 * Sends one batch item upstream and records the result exactly once (the store's conditional updates).
 * Waits are ours: a wait releases the item (running → pending). When no project has room the model's
 * queue is rate-limited until the engine's earliest moment (BullMQ's manual rate limit: every worker
 * process stops taking that model's jobs, and the job goes back to the head of the queue), so nothing
 * polls and the waiting jobs do not all wake at once. A transient retry delays only its own job.
 * Only transient failures use up an attempt.
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
    private readonly queues: DispatchQueues,
    private readonly metrics: KeyfleetMetrics,
  ) {}

  async process(job: Job<BatchItemJob>, token?: string): Promise<void> {
    const item = await this.store.peek(job.data.itemId);
    if (!item || FINAL.has(item.status)) return; // a repeated or stale delivery
    // The claim of a pending item whose batch was cancelled cancels it. A running one was redelivered
    // (its worker died): it runs on, as running items of a cancelled batch do, so the batch still ends.
    if (item.batchCancelled && item.status === 'pending') {
      await this.store.claim(item);
      return;
    }
    const claim = new ItemClaim(this.store, item);
    const outcome = await this.dispatch(job.data.model, item, claim);
    if (outcome.kind === 'done') return;
    if (claim.started || item.status === 'running') {
      if (!(await claim.held())) return; // final meanwhile
      if (!(await this.store.release(item.id))) return; // finished meanwhile by another delivery
    }
    if (outcome.kind === 'noRoom') {
      // Redis refuses a zero expiry; the limit must outlast this call.
      const waitMs = Math.max(1, Math.ceil(outcome.delayMs));
      await this.queues.forModel(job.data.model).rateLimit(waitMs);
      // BullMQ's worker fetches again when a job ends, not when a manual rate limit ends while other jobs
      // are still waiting on Google: a short wait is sat out here, so this job's end wakes the worker at
      // the moment room frees up (measured: up to an upstream latency of idle dispatch otherwise).
      if (waitMs <= this.timing.holdWaitMaxMs) await sleep(waitMs);
      throw new RateLimitError();
    }
    await job.moveToDelayed(Date.now() + outcome.delayMs, token);
    throw new DelayedError();
  }

  private async dispatch(model: string, item: ClaimedItem, claim: ItemClaim): Promise<Outcome> {
    const excludedKeys = new Set<string>();
    for (let switches = 0; switches <= this.timing.maxKeySwitches; switches++) {
      const request = item.request as GenerateContentRequestBody;
      // Quota room is reserved here; a wait is the exact moment a project will have room.
      const admission = await this.picker.admit(
        model,
        request,
        excludedKeys,
        'batch',
        this.timing.bookAheadMs,
      );
      if ('waitMs' in admission) return noRoom(admission.waitMs);
      if ('impossible' in admission) {
        const error = { code: 400, message: admission.impossible, status: 'INVALID_ARGUMENT' };
        if (await this.store.fail(item.id, error)) this.metrics.batchItemFinished(model, 'failed');
        return DONE;
      }
      const { slot } = admission;
      // A booked moment: the window's room frees then, and the request leaves then, no earlier. The SDK's
      // work and the connection are done just before, so a burst of bookings does not pile them onto its
      // moments (measured: timers then fired a median 135 ms late, and some sends missed their deadline).
      const untilReady = slot.sendFrom - this.timing.prepareAheadMs - performance.now();
      if (untilReady > 0) await sleep(untilReady);
      if (!this.picker.sendable(slot)) {
        await this.picker.giveBack(slot); // too late for the headroom: admit again
        continue;
      }
      claim.start();
      let failure: ClassifiedUpstreamError;
      try {
        // Written at the slot's moment; held back (not sent) if it gets to the wire after its deadline.
        const window = { sendFrom: slot.sendFrom, sendBy: this.picker.sendBy(slot) };
        const result = await this.gemini.generateContent(model, request, slot.key, window);
        await this.picker.settle(slot, result.promptTokenCount, result.sentAt);
        claim.dropIfQueued(); // the result moves the item on from pending by itself
        const origin = originOf(slot, result.promptTokenCount);
        if (await this.store.succeed(item, result.response, origin))
          this.metrics.batchItemFinished(model, 'succeeded');
        return DONE;
      } catch (error) {
        if (error instanceof SendDeadlinePassedError) {
          await this.picker.giveBack(slot); // held up on its way out: never sent, admit again
          continue;
        }
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
      if (!(await claim.held())) return DONE; // final meanwhile
      return this.afterFailure(item, slot, failure);
    }
    return noRoom(this.timing.noCapacityWaitMs);
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
        if (used < this.config.worker.maxAttempts) return retry(retryDelayMs(used, this.timing));
        await this.failWith(item, slot, failure);
        return DONE;
      }
      default:
        await this.failWith(item, slot, failure);
        return DONE;
    }
  }

  private async failWith(
    item: ClaimedItem,
    slot: UpstreamSlot,
    failure: ClassifiedUpstreamError,
  ): Promise<void> {
    if (await this.store.fail(item.id, itemErrorOf(failure), originOf(slot, null)))
      this.metrics.batchItemFinished(slot.reservation.model, 'failed');
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
