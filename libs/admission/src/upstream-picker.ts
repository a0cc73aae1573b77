import { Inject, Injectable, Optional } from '@nestjs/common';
import { KeyfleetMetrics } from '@keyfleet/observability';
import {
  costMicros,
  estimateTokens,
  nextPacificMidnight,
  QuotaEngine,
  TokenCalibrator,
  type CapacityResult,
  type ProjectLimits,
  type Reservation,
  type SpendEstimate,
  type TokenEstimateInput,
} from '@keyfleet/quota';
import { PoolService, rateFor, type PoolKey, type PoolProject } from '@keyfleet/registry';
import type { ClassifiedUpstreamError } from '@keyfleet/upstream';
import { ADMISSION_TIMING, type AdmissionTiming } from './admission-timing';
import { InteractiveReserve } from './interactive-reserve';
import { maxOutputTokensOf, OutputEstimator } from './output-estimator';

/** The project and key one request goes out on, and the quota room reserved for it. */
export interface UpstreamSlot {
  project: PoolProject;
  key: PoolKey;
  reservation: Reservation;
  /** The uncalibrated estimate, so the calibrator learns the real ratio. */
  rawEstimate: number;
  /** performance.now() before the engine was asked: the reservation's timestamp is no earlier. */
  askedAt: number;
  /** 0, or for a booked moment how long after the engine's clock read the request may leave. */
  dueInMs: number;
  /** performance.now() from which the request may leave: Google must not count a booking before its moment. */
  sendFrom: number;
}

/** Batch work fills what the interactive share leaves; interactive calls may fill every limit. */
export type AdmissionLane = 'batch' | 'interactive';

/** A slot to send on now, the exact wait until a project has room, or why the request can never pass. */
export type Admission = { slot: UpstreamSlot } | { waitMs: number; reason: string } | { impossible: string };

const DAY_MS = 24 * 60 * 60 * 1000;
const SPEND_FREED_EVERY_MS = 100;
const NO_KEYS: ReadonlySet<string> = new Set();

/**
 * Chooses where a request goes: the quota engine reserves room (RPM, TPM, RPD, TPD) on one project
 * atomically, or answers with the exact wait; then a key of that project is taken round-robin.
 */
@Injectable()
export class UpstreamPicker {
  private readonly keyCursor = new Map<string, number>();
  private readonly calibrator = new TokenCalibrator();
  private readonly outputs = new OutputEstimator();
  private readonly spendFreedListeners = new Set<(model: string) => void>();
  private readonly lastSpendFreed = new Map<string, number>();
  /** How long after its moment a slot's request may still leave (Infinity: no headroom, nothing guarded). */
  readonly sendWindowMs: number;

  constructor(
    private readonly pool: PoolService,
    private readonly engine: QuotaEngine,
    @Inject(ADMISSION_TIMING) private readonly timing: AdmissionTiming,
    private readonly interactive: InteractiveReserve,
    @Optional() private readonly metrics: KeyfleetMetrics = new KeyfleetMetrics(),
  ) {
    const { headroomMs } = engine;
    // Half the headroom for leaving this process, half for the trip until Google counts the request.
    // No headroom means no lag is allowed for: nothing to guard.
    this.sendWindowMs = headroomMs > 0 ? headroomMs / 2 : Infinity;
  }

  /** `request` is estimated here, or carries an estimate made earlier (`{ tokens }`, uncalibrated). */
  async admit(
    model: string,
    request: TokenEstimateInput | { tokens: number },
    excludedKeyIds: ReadonlySet<string>,
    lane: AdmissionLane = 'batch',
    bookAheadMs = 0,
  ): Promise<Admission> {
    const projects = await this.usableProjects(model, excludedKeyIds);
    if (projects.length === 0)
      return { waitMs: this.timing.noCapacityWaitMs, reason: `no usable key serves ${model}` };
    const askedAt = performance.now();
    const rawEstimate = 'tokens' in request ? request.tokens : estimateTokens(request);
    const estimatedTokens = this.calibrator.apply(model, rawEstimate);
    const spend = await this.spendEstimate(model, estimatedTokens, maxOutputTokensOf(request));
    const base = {
      model,
      estimatedTokens,
      candidates: projects.map(projectLimitsOf),
      bookAheadMs,
      ...(spend ? { spend } : {}),
    };
    if (lane === 'interactive') await this.interactive.touch(model);
    const share = lane === 'interactive' ? 1 : await this.interactive.batchShare(model);
    let result = await this.engine.reserve({ ...base, capacityShare: share });
    // A limit too small to split (RPM 1, a request near the TPM) keeps no share: batches may use it whole.
    if (result.kind === 'impossible' && share < 1) result = await this.engine.reserve(base);
    if (result.kind !== 'impossible')
      this.metrics.admissionAnswered(model, lane, result.kind === 'wait' ? result.waitMs : result.dueInMs);
    if (result.kind === 'wait') return { waitMs: result.waitMs, reason: `no project has room for ${model}` };
    if (result.kind === 'impossible') return { impossible: result.reason };
    const project = projects.find((p) => p.projectId === result.reservation.projectId);
    if (!project) {
      // Cannot happen (the engine picks among the candidates); give the room back rather than leak it.
      await this.engine.release(result.reservation);
      return { waitMs: this.timing.noCapacityWaitMs, reason: 'reserved project left the pool' };
    }
    const key = project.keys[this.next(project.projectId, project.keys.length)];
    const { reservation, dueInMs } = result;
    // The engine read its clock after askedAt and before now: leaving dueInMs after now is never early.
    const sendFrom = performance.now() + dueInMs;
    return { slot: { project, key, reservation, rawEstimate, askedAt, dueInMs, sendFrom } };
  }

  /**
   * How many batch requests of about `tokensPerRequest` input tokens (uncalibrated) the pool would admit
   * now or book within `bookAheadMs`, reserving nothing; when none, until when. A dispatcher takes about
   * that many items, so its fair shares are shares of what really goes out.
   */
  async capacity(model: string, tokensPerRequest: number, bookAheadMs: number): Promise<CapacityResult> {
    const projects = await this.usableProjects(model, NO_KEYS);
    if (projects.length === 0) {
      const waitMs = this.timing.noCapacityWaitMs;
      return { room: 0, retryAtMs: Date.now() + waitMs, waitMs };
    }
    const tokens = this.calibrator.apply(model, tokensPerRequest);
    const spend = await this.spendEstimate(model, tokens);
    return this.engine.capacity({
      model,
      tokensPerRequest: tokens,
      candidates: projects.map(projectLimitsOf),
      capacityShare: await this.interactive.batchShare(model),
      bookAheadMs,
      spendPerRequest: spend ? costMicros(tokens, spend) : 0,
    });
  }

  /**
   * What requests of `model` are expected to cost, as admission counts them (calibrated input, learned
   * output): micro-dollars for `rawTokens` estimated input tokens. Null when the model has no price.
   */
  async pricer(model: string): Promise<((rawTokens: number, maxOutputTokens?: number) => number) | null> {
    const price = await this.pool.priceOf(model);
    if (!price) return null;
    // Called once per item of a submission (a million, say): the rates are looked up here, not per call,
    // so that pricing an item allocates nothing (two objects per item grew the api's peak by 150 MB in bench (m)).
    const normal = rateFor(price, 0);
    const long = rateFor(price, Infinity);
    return (rawTokens, maxOutputTokens) => {
      const tokens = this.calibrator.apply(model, rawTokens);
      const rate = tokens > (price.longContext?.aboveTokens ?? Infinity) ? long : normal;
      return Math.ceil(tokens * rate.input + this.outputs.estimate(model, maxOutputTokens) * rate.output);
    };
  }

  /** The model's price for a request of `inputTokens` and its learned output; null when unpriced. */
  private async spendEstimate(
    model: string,
    inputTokens: number,
    maxOutputTokens?: number,
  ): Promise<SpendEstimate | null> {
    const price = await this.pool.priceOf(model);
    if (!price) return null;
    return { ...rateFor(price, inputTokens), outputTokens: this.outputs.estimate(model, maxOutputTokens) };
  }

  /** The model's pool projects, each with the keys not excluded; projects left without a key dropped. */
  private async usableProjects(model: string, excludedKeyIds: ReadonlySet<string>): Promise<PoolProject[]> {
    const projects = await this.pool.poolFor(model);
    if (excludedKeyIds.size === 0) return projects;
    return projects
      .map((project) => ({ ...project, keys: project.keys.filter((key) => !excludedKeyIds.has(key.id)) }))
      .filter((project) => project.keys.length > 0);
  }

  /**
   * Whether the slot may still go out. The engine stamps a reservation with Redis' TIME and keeps it
   * counted for the window plus the headroom; Google counts the request when it arrives. A request that
   * leaves later than the headroom allows (an event loop stalled by GC or load) could arrive when the
   * engine has already let its room go, so it is not sent: give the slot back and admit again. A booking
   * counts from its moment.
   */
  sendable(slot: UpstreamSlot): boolean {
    return performance.now() <= this.sendBy(slot);
  }

  /** The performance.now() until which the slot's request may leave (see sendable). */
  sendBy(slot: UpstreamSlot): number {
    return this.dueAt(slot) + this.sendWindowMs;
  }

  /** The performance.now() from which the slot's request may leave: its send window starts here. */
  dueAt(slot: UpstreamSlot): number {
    return slot.askedAt + slot.dueInMs;
  }

  /**
   * A slot whose request was held back at its deadline (it could not leave in time, say on a busy
   * event loop) counts from now instead and may go out at once: the same room, nothing re-admitted.
   * Null when that is no longer allowed (give it back then).
   */
  async restamp(slot: UpstreamSlot): Promise<UpstreamSlot | null> {
    const askedAt = performance.now();
    const reservation = await this.engine.restamp(slot.reservation);
    if (!reservation) return null;
    return { ...slot, reservation, askedAt, dueInMs: 0, sendFrom: performance.now() };
  }

  /** A slot that will not be sent: its room goes back to the pool. */
  async giveBack(slot: UpstreamSlot): Promise<void> {
    await this.engine.release(slot.reservation);
  }

  /**
   * After a successful call: the real input tokens replace the estimate, and the reservation counts from
   * when the request left (`sentAt`, performance.now()), so a burst reserved at once but sent over a few
   * hundred ms frees its room a window later at the same pace, not all at one moment. An answer that
   * does not count its input (an embedding's: `promptTokenCount` null) keeps the estimate.
   */
  async settle(
    slot: UpstreamSlot,
    promptTokenCount: number | null,
    sentAt?: number,
    outputTokenCount?: number,
  ): Promise<void> {
    if (promptTokenCount === null) promptTokenCount = slot.reservation.tokens;
    else this.calibrator.observe(slot.reservation.model, slot.rawEstimate, promptTokenCount);
    if (outputTokenCount !== undefined) this.outputs.observe(slot.reservation.model, outputTokenCount);
    // The engine's stamp (atMs) was read here no earlier than askedAt + dueInMs, so this maps the send to
    // the engine's clock no earlier than it happened.
    const sentAtMs =
      sentAt === undefined ? 0 : slot.reservation.atMs + (sentAt - slot.askedAt - slot.dueInMs);
    const freed = await this.engine.correct(slot.reservation, promptTokenCount, sentAtMs, outputTokenCount);
    if (freed > 0 && slot.reservation.spend?.limited) this.spendFreed(slot.reservation.model);
  }

  /**
   * Tells `listener` (at most every 100 ms per model) that a correction gave spend back under a spend
   * limit: room a dispatcher waiting for the window to slide can use now. Returns the unsubscribe.
   */
  onSpendFreed(listener: (model: string) => void): () => void {
    this.spendFreedListeners.add(listener);
    return () => this.spendFreedListeners.delete(listener);
  }

  private spendFreed(model: string): void {
    const now = performance.now();
    if (now - (this.lastSpendFreed.get(model) ?? -Infinity) < SPEND_FREED_EVERY_MS) return;
    this.lastSpendFreed.set(model, now);
    for (const listener of this.spendFreedListeners) listener(model);
  }

  /**
   * After a failed call. A 429 blocks the project+model until Google will take it again (its
   * reservation stays counted: Google counted it); a request that never reached Google gives its room back.
   */
  async settleFailure(slot: UpstreamSlot, failure: ClassifiedUpstreamError): Promise<void> {
    const { reservation } = slot;
    if (failure.kind === 'quota') {
      const now = await this.engine.nowMs();
      const until = quotaBlockUntil(failure, now, this.timing.quotaWaitMs, this.timing.helpOnlyBlockMs);
      await this.engine.block(reservation.projectId, reservation.model, until, quotaReason(failure));
      return;
    }
    if (failure.kind === 'invalid_key' || failure.kind === 'key_blocked' || failure.neverSent)
      await this.engine.release(reservation);
  }

  private next(projectId: string, length: number): number {
    const position = this.keyCursor.get(projectId) ?? 0;
    this.keyCursor.set(projectId, position + 1);
    return position % length;
  }
}

/**
 * Until when a 429 keeps the project out: limit 0 for a day, per-day until Pacific midnight, a Help-only
 * 429 (no quota named, no wait given: the spend limit, say) briefly, else RetryInfo.
 */
export function quotaBlockUntil(
  failure: ClassifiedUpstreamError,
  nowMs: number,
  fallbackMs: number,
  helpOnlyMs = fallbackMs,
): number {
  if (failure.limitZero) return nowMs + DAY_MS;
  if (failure.helpOnly) return nowMs + helpOnlyMs;
  if (failure.quotaScope === 'day') return nextPacificMidnight(nowMs);
  return nowMs + (failure.retryDelayMs ?? fallbackMs);
}

function quotaReason(failure: ClassifiedUpstreamError): string {
  if (failure.helpOnly) return 'upstream 429 (Help link only)';
  const scope = failure.limitZero ? 'limit 0' : (failure.quotaScope ?? 'unknown scope');
  return `upstream 429 (${scope}${failure.dimension ? `, ${failure.dimension}` : ''})`;
}

/** A pool project's limits for a model, as the quota engine takes them. */
export function projectLimitsOf(project: PoolProject): ProjectLimits {
  const { rpm, tpm, rpd, tpd } = project.limits;
  const { spendLimit, spendScope } = project;
  return { projectId: project.projectId, rpm, tpm, rpd, tpd, spendLimit, spendScope };
}
