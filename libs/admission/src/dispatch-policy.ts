import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { TokenEstimateInput } from '@keyfleet/quota';
import { KeyRetirements, type PoolKey } from '@keyfleet/registry';
import {
  classifyUpstreamError,
  SendDeadlinePassedError,
  type ClassifiedUpstreamError,
  type SendWindow,
} from '@keyfleet/upstream';
import { ADMISSION_TIMING, type AdmissionTiming } from './admission-timing';
import { UpstreamPicker, type AdmissionLane, type UpstreamSlot } from './upstream-picker';

/** What one send did: an answer to relay or record, or a classified failure (with Google's body, if read). */
export type SendOutcome<T> =
  { kind: 'ok'; value: T } | { kind: 'failed'; failure: ClassifiedUpstreamError; body?: string | null };

/** One request to get through the pool: how to estimate it and how to send it on a given key. */
export interface OutboundCall<T> {
  model: string;
  lane: AdmissionLane;
  /** The request (estimated here), or its estimate made earlier (uncalibrated input tokens). */
  estimate: TokenEstimateInput | { tokens: number };
  /**
   * Sends on `key` within `window` (not before sendFrom, held back after sendBy: reject with
   * SendDeadlinePassedError then, nothing reached Google). Other failures come back classified.
   */
  send(key: PoolKey, window: SendWindow): Promise<SendOutcome<T>>;
  /** The caller went away: stop waiting. */
  signal?: AbortSignal;
}

export interface DispatchOptions {
  /** Room already reserved for the call (a batch item taken with its slot). */
  slot?: UpstreamSlot;
  /** How long to wait here for room before answering `wait` (0: answer at once). */
  maxWaitMs: number;
  /** Book the moment room frees when it is at most this far away (batches only; see QuotaEngine). */
  bookAheadMs?: number;
}

export type DispatchResult<T> =
  /** Answered: settle the slot once the answer's usage is known (UpstreamPicker.settle). */
  | { kind: 'ok'; value: T; slot: UpstreamSlot }
  /** A failure that is the caller's to handle (transient: retry later; client_error: final). */
  | { kind: 'failed'; failure: ClassifiedUpstreamError; body?: string | null; slot: UpstreamSlot }
  /**
   * No room (or no usable key) within maxWaitMs; `lastQuotaFailure` if 429s kept moving the call,
   * `movesExhausted` if it was moved on (429s, dead keys) as often as allowed.
   */
  | { kind: 'wait'; waitMs: number; lastQuotaFailure?: ClassifiedUpstreamError; movesExhausted?: boolean }
  /** The request can never pass in this pool (its input exceeds every limit). */
  | { kind: 'impossible'; reason: string };

// Upstream attempts per call that move it on at no cost to the caller: 429s (each blocks its project)
// and dead keys (each leaves the pool), plus sends held back at their deadline.
const MAX_MOVES = 10;

/**
 * The one way a request goes upstream, for batch items and interactive calls alike: admit (reserve quota
 * room on a project, choose a key), send at the slot's moment within its send window, and settle what
 * happened. A 429 that still arrives blocks that project in the quota engine and the call is admitted
 * again at once; a dead key leaves service (audited, a replacement is requested) and the call moves to
 * another key; a request held back at its deadline gives its room back and is admitted again. None of
 * these uses one of the caller's attempts. Anything else is the caller's.
 */
@Injectable()
export class DispatchPolicy {
  private readonly logger = new Logger(DispatchPolicy.name);

  constructor(
    private readonly picker: UpstreamPicker,
    // Takes a dead key out of service even while Postgres is unreachable (written once it is back).
    private readonly retirements: KeyRetirements,
    @Inject(ADMISSION_TIMING) private readonly timing: AdmissionTiming,
  ) {}

  async dispatch<T>(call: OutboundCall<T>, options: DispatchOptions): Promise<DispatchResult<T>> {
    const deadline = Date.now() + options.maxWaitMs;
    const excluded = new Set<string>();
    let slot = options.slot;
    let lastQuotaFailure: ClassifiedUpstreamError | undefined;
    for (let moves = 0; moves < MAX_MOVES; moves++) {
      if (!slot) {
        const admission = await this.admitWithin(call, excluded, deadline, options.bookAheadMs ?? 0);
        if ('reason' in admission) return admission;
        if (!('slot' in admission)) return { ...admission, lastQuotaFailure };
        slot = admission.slot;
      }
      const outcome = await this.sendAtItsMoment(call, slot);
      if (outcome === 'held back') {
        // Never sent: counted from now it may still go with the same room; else the room goes back.
        const later = await this.picker.restamp(slot);
        if (!later) await this.picker.giveBack(slot);
        slot = later ?? undefined;
        continue;
      }
      if (outcome.kind === 'ok') return { kind: 'ok', value: outcome.value, slot };
      const { failure } = outcome;
      await this.picker.settleFailure(slot, failure);
      if (failure.kind === 'quota') {
        lastQuotaFailure = failure; // the project is blocked now: the next admission goes elsewhere or waits
      } else if (failure.kind === 'invalid_key' || failure.kind === 'key_blocked') {
        await this.takeOutOfService(slot, failure, call.lane);
        excluded.add(slot.key.id);
      } else {
        return { kind: 'failed', failure, body: outcome.body, slot };
      }
      slot = undefined;
    }
    return { kind: 'wait', waitMs: this.timing.noCapacityWaitMs, lastQuotaFailure, movesExhausted: true };
  }

  /** The earliest slot, waiting as the engine says while that stays within the deadline. */
  private async admitWithin(
    call: OutboundCall<unknown>,
    excluded: ReadonlySet<string>,
    deadline: number,
    bookAheadMs: number,
  ): Promise<
    { slot: UpstreamSlot } | { kind: 'wait'; waitMs: number } | { kind: 'impossible'; reason: string }
  > {
    for (;;) {
      const admission = await this.picker.admit(call.model, call.estimate, excluded, call.lane, bookAheadMs);
      if ('slot' in admission) return admission;
      if ('impossible' in admission) return { kind: 'impossible', reason: admission.impossible };
      if (Date.now() + admission.waitMs > deadline) return { kind: 'wait', waitMs: admission.waitMs };
      await sleep(Math.max(1, admission.waitMs), undefined, { signal: call.signal });
    }
  }

  /**
   * A booked slot's request is readied a little before its moment (the SDK's work, the connection) and
   * written at the moment, never earlier; one that can no longer leave in time is held back.
   */
  private async sendAtItsMoment<T>(
    call: OutboundCall<T>,
    slot: UpstreamSlot,
  ): Promise<SendOutcome<T> | 'held back'> {
    const untilReady = slot.sendFrom - this.timing.prepareAheadMs - performance.now();
    if (untilReady > 0) await sleep(untilReady, undefined, { signal: call.signal });
    if (!this.picker.sendable(slot)) return 'held back';
    try {
      return await call.send(slot.key, { sendFrom: slot.sendFrom, sendBy: this.picker.sendBy(slot) });
    } catch (error) {
      if (error instanceof SendDeadlinePassedError) return 'held back';
      return { kind: 'failed', failure: classifyUpstreamError(error) };
    }
  }

  private async takeOutOfService(
    slot: UpstreamSlot,
    failure: ClassifiedUpstreamError,
    lane: AdmissionLane,
  ): Promise<void> {
    const reason = `upstream ${failure.status} ${failure.reason ?? failure.rpcStatus}`;
    this.logger.warn(
      `key …${slot.key.lastFour} of project ${slot.project.name} taken out of service: ${reason}`,
    );
    await this.retirements.takeOutOfService(slot.key.id, reason, lane === 'batch' ? 'worker' : 'api');
  }
}
