import { Inject, Injectable, Logger } from '@nestjs/common';
import { UpstreamPicker, type UpstreamSlot } from '@keyfleet/admission';
import { KEYFLEET_CONFIG, type KeyfleetConfig } from '@keyfleet/config';
import { ErrorCode, KeyfleetError } from '@keyfleet/errors';
import type { TokenEstimateInput } from '@keyfleet/quota';
import { KeyRetirements, type PoolKey } from '@keyfleet/registry';
import { SendDeadlinePassedError, type ClassifiedUpstreamError } from '@keyfleet/upstream';
import { sleep } from './client-gone';
import { PoolBusyError } from './pool-busy.error';
import type { UpstreamAnswer } from './upstream-http';
import { sendOnce, type UpstreamOutcome } from './upstream-outcome';

/** One interactive call: what to estimate, and how to send it on a given key. */
export interface InteractiveCall {
  model: string;
  estimate: TokenEstimateInput;
  /** Sends on `key`; the request must not leave after `sendBy` (performance.now(), see UpstreamRequest). */
  send(key: PoolKey, sendBy: number): Promise<UpstreamAnswer>;
  /** The client went away: stop waiting. */
  signal: AbortSignal;
}

/** A 2xx answer to relay (then settle the slot), or an upstream failure to show in the client's shape. */
export type InteractiveResult =
  { kind: 'ok'; answer: UpstreamAnswer; slot: UpstreamSlot } | Extract<UpstreamOutcome, { kind: 'failed' }>;

// Upstream attempts per call: 429s (each blocks its project) and bad keys (each leaves the pool).
const MAX_ATTEMPTS = 10;

/**
 * Admits an interactive call through the same quota engine as batches (lane `interactive`: the whole
 * limit), waiting for room up to KF_INTERACTIVE_MAX_WAIT_MS, then sends it. A 429 blocks that project
 * and the call moves on, like the worker; a bad key leaves service and the call takes another key.
 */
@Injectable()
export class InteractiveDispatcher {
  private readonly logger = new Logger(InteractiveDispatcher.name);
  private readonly maxWaitMs: number;

  constructor(
    private readonly picker: UpstreamPicker,
    private readonly retirements: KeyRetirements,
    @Inject(KEYFLEET_CONFIG) config: KeyfleetConfig,
  ) {
    this.maxWaitMs = config.interactive.maxWaitMs;
  }

  async dispatch(call: InteractiveCall): Promise<InteractiveResult> {
    const deadline = Date.now() + this.maxWaitMs;
    const excluded = new Set<string>();
    let last: ClassifiedUpstreamError | undefined;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const slot = await this.waitForSlot(call, excluded, deadline);
      if (!this.picker.sendable(slot)) {
        await this.picker.giveBack(slot); // too late for the headroom: admit again
        continue;
      }
      const result = await this.sendInWindow(call, slot);
      if (result === 'held back') {
        await this.picker.giveBack(slot); // never sent: admit again
        continue;
      }
      if (result.kind === 'ok') return { ...result, slot };
      const { failure } = result;
      await this.picker.settleFailure(slot, failure);
      if (failure.kind === 'quota') {
        last = failure; // the project is blocked now; the next admission goes elsewhere or waits
        continue;
      }
      if (failure.kind === 'invalid_key' || failure.kind === 'key_blocked') {
        await this.takeOutOfService(slot, failure);
        excluded.add(slot.key.id);
        last = failure;
        continue;
      }
      return result;
    }
    if (last?.kind === 'quota') throw new PoolBusyError(call.model, last.retryDelayMs ?? 1000);
    throw new KeyfleetError(ErrorCode.Unavailable, `no usable upstream key for ${call.model}`);
  }

  /** Sends within the slot's window; 'held back' when the request reached the wire too late to leave. */
  private async sendInWindow(
    call: InteractiveCall,
    slot: UpstreamSlot,
  ): Promise<UpstreamOutcome | 'held back'> {
    try {
      return await sendOnce(() => call.send(slot.key, this.picker.sendBy(slot)));
    } catch (error) {
      if (error instanceof SendDeadlinePassedError) return 'held back';
      throw error;
    }
  }

  /** After a relayed answer: the real prompt tokens replace the estimate (the client already has its answer). */
  settle(slot: UpstreamSlot, promptTokens: number | null): void {
    if (promptTokens === null) return; // the answer said nothing: the estimate stands
    this.picker
      .settle(slot, promptTokens)
      .catch((error: unknown) => this.logger.warn(`correcting a reservation failed: ${String(error)}`));
  }

  /** The earliest slot, waiting as the engine says; a wait past the deadline is answered 429 at once. */
  private async waitForSlot(
    call: InteractiveCall,
    excluded: ReadonlySet<string>,
    deadline: number,
  ): Promise<UpstreamSlot> {
    for (;;) {
      const admission = await this.picker.admit(call.model, call.estimate, excluded, 'interactive');
      if ('slot' in admission) return admission.slot;
      // The engine's reason names projects: keep those internal.
      if ('impossible' in admission)
        throw KeyfleetError.invalid(`request can never pass: its input exceeds the limits for ${call.model}`);
      if (Date.now() + admission.waitMs > deadline) throw new PoolBusyError(call.model, admission.waitMs);
      await sleep(Math.max(1, admission.waitMs), call.signal);
    }
  }

  private async takeOutOfService(slot: UpstreamSlot, failure: ClassifiedUpstreamError): Promise<void> {
    const reason = `upstream ${failure.status} ${failure.reason ?? failure.rpcStatus}`;
    this.logger.warn(
      `key …${slot.key.lastFour} of project ${slot.project.name} taken out of service: ${reason}`,
    );
    await this.retirements.takeOutOfService(slot.key.id, reason, 'api');
  }
}
