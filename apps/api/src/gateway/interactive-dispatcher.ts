import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  laneOfServiceTier,
  tokensOfEstimate,
  UsagePricer,
  UsageRecorder,
  type UsageSurface,
  type UsageTokens,
} from '@keyfleet/accounting';
import {
  DispatchPolicy,
  UpstreamPicker,
  type BudgetHold,
  type SendOutcome,
  type UpstreamSlot,
} from '@keyfleet/admission';
import { KEYFLEET_CONFIG, type KeyfleetConfig } from '@keyfleet/config';
import { ErrorCode, KeyfleetError } from '@keyfleet/errors';
import { KeyfleetMetrics } from '@keyfleet/observability';
import type { TokenEstimateInput } from '@keyfleet/quota';
import type { AuthenticatedClient, PoolKey } from '@keyfleet/registry';
import type { ClassifiedUpstreamError } from '@keyfleet/upstream';
import { InteractiveBudget } from './interactive-budget';
import { PoolBusyError } from './pool-busy.error';
import type { UpstreamAnswer } from './upstream-http';
import type { AnswerUsage } from './usage-sniffer';
import { sendOnce } from './upstream-outcome';

/** One interactive call: what to estimate, and how to send it on a given key. */
export interface InteractiveCall {
  /** Whose budget the call counts against. */
  client: AuthenticatedClient;
  model: string;
  estimate: TokenEstimateInput;
  /** Sends on `key`; the request must not leave after `sendBy` (performance.now(), see UpstreamRequest). */
  send(key: PoolKey, sendBy: number): Promise<UpstreamAnswer>;
  /** The client went away: stop waiting. */
  signal: AbortSignal;
}

/** Who made an interactive call and where it came in: what its usage record says. */
export interface CallOrigin {
  clientId: string;
  surface: UsageSurface;
}

/** A 2xx answer to relay (then settle the slot), or an upstream failure to show in the client's shape. */
export type InteractiveResult =
  | { kind: 'ok'; answer: UpstreamAnswer; slot: UpstreamSlot }
  | { kind: 'failed'; failure: ClassifiedUpstreamError; body: string | null };

/**
 * An interactive call through the dispatch policy every lane shares (libs/admission), in lane
 * `interactive` (the whole limit), waiting for room up to KF_INTERACTIVE_MAX_WAIT_MS. What the policy
 * could not get through is answered in Google's shape: 429 with RetryInfo when the pool has no room.
 */
@Injectable()
export class InteractiveDispatcher {
  private readonly logger = new Logger(InteractiveDispatcher.name);
  private readonly maxWaitMs: number;
  /** The budget held for each relayed answer's slot, until it is settled. */
  private readonly holds = new WeakMap<UpstreamSlot, BudgetHold>();

  constructor(
    private readonly policy: DispatchPolicy,
    private readonly picker: UpstreamPicker,
    @Inject(KEYFLEET_CONFIG) config: KeyfleetConfig,
    private readonly metrics: KeyfleetMetrics,
    private readonly pricer: UsagePricer,
    private readonly recorder: UsageRecorder,
    private readonly budget: InteractiveBudget,
  ) {
    this.maxWaitMs = config.interactive.maxWaitMs;
  }

  /** A call that would pass its client's budget is refused first (ClientBudgetError), before any wait. */
  async dispatch(call: InteractiveCall): Promise<InteractiveResult> {
    const hold = await this.budget.hold(call.client, call.model, call.estimate);
    let kept = false;
    try {
      const result = await this.withinPool(call);
      if (result.kind === 'ok') {
        this.holds.set(result.slot, hold);
        kept = true;
      }
      return result;
    } finally {
      if (!kept) this.budget.release(hold); // nothing answered: nothing spent
    }
  }

  private async withinPool(call: InteractiveCall): Promise<InteractiveResult> {
    const result = await this.policy.dispatch<UpstreamAnswer>(
      {
        model: call.model,
        lane: 'interactive',
        estimate: call.estimate,
        signal: call.signal,
        send: (key, window) => sendOnce(() => call.send(key, window.sendBy)).then(toSendOutcome),
      },
      { maxWaitMs: this.maxWaitMs },
    );
    switch (result.kind) {
      case 'ok':
        return { kind: 'ok', answer: result.value, slot: result.slot };
      case 'failed':
        return { kind: 'failed', failure: result.failure, body: result.body ?? null };
      case 'impossible':
        // The engine's reason names projects: keep those internal.
        throw KeyfleetError.invalid(`request can never pass: its input exceeds the limits for ${call.model}`);
      case 'wait':
        if (result.lastQuotaFailure)
          throw this.poolBusy(call.model, result.lastQuotaFailure.retryDelayMs ?? 1000);
        if (result.movesExhausted)
          throw new KeyfleetError(ErrorCode.Unavailable, `no usable upstream key for ${call.model}`);
        throw this.poolBusy(call.model, result.waitMs);
    }
  }

  /** keyfleet's own 429 to the client, counted. */
  private poolBusy(model: string, waitMs: number): PoolBusyError {
    this.metrics.clientThrottledByPool(model);
    return new PoolBusyError(model, waitMs);
  }

  /**
   * After a relayed answer: the real prompt tokens replace the estimate, and the real output (answer and
   * thinking) the output part of the spend reservation (the client already has its answer). The call is
   * recorded for accounting at the price of the tier that served it (`serviceTier`, the answer's
   * x-gemini-service-tier); an answer that said nothing (a stream cut off, a native embedding) is
   * recorded at its estimated input. The client's budget counts what accounting records.
   */
  settle(
    slot: UpstreamSlot,
    usage: AnswerUsage | null,
    origin: CallOrigin,
    serviceTier?: string | null,
  ): void {
    if (usage !== null)
      this.picker
        .settle(slot, usage.promptTokens, undefined, usage.outputTokens)
        .catch((error: unknown) => this.logger.warn(`correcting a reservation failed: ${String(error)}`));
    this.record(
      slot,
      usage ? tokensOfAnswer(usage) : tokensOfEstimate(slot.reservation.tokens),
      origin,
      serviceTier,
    );
  }

  /** Buffered (UsageRecorder): the answer is not held up by the write. */
  private record(slot: UpstreamSlot, tokens: UsageTokens, origin: CallOrigin, serviceTier?: string | null) {
    const { model } = slot.reservation;
    const lane = laneOfServiceTier(serviceTier);
    const hold = this.holds.get(slot);
    this.holds.delete(slot);
    this.pricer
      .costMicroUsd(model, lane, tokens)
      .then((costMicroUsd) => {
        if (hold) this.budget.settle(hold, costMicroUsd);
        this.recorder.record({
          ...origin,
          ...tokens,
          batchId: null,
          projectId: slot.project.projectId,
          model,
          lane,
          costMicroUsd,
        });
      })
      .catch((error: unknown) => this.logger.warn(`recording the usage of a call failed: ${String(error)}`));
  }
}

/** The sniffed counts as accounting keeps them: output without the thinking, which is counted apart. */
export function tokensOfAnswer(usage: AnswerUsage): UsageTokens {
  const thinking = usage.thinkingTokens ?? 0;
  return {
    inputTokens: usage.promptTokens,
    outputTokens: Math.max(0, (usage.outputTokens ?? 0) - thinking),
    thinkingTokens: thinking,
    cachedTokens: usage.cachedTokens ?? 0,
  };
}

function toSendOutcome(outcome: Awaited<ReturnType<typeof sendOnce>>): SendOutcome<UpstreamAnswer> {
  return outcome.kind === 'ok' ? { kind: 'ok', value: outcome.answer } : outcome;
}
