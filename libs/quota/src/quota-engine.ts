import { randomBytes } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import { KeyfleetError } from '@keyfleet/errors';
import { DayBoundaryCache } from './day-boundary-cache';
import {
  candidateArgs,
  effectiveLimits,
  neverPassesReason,
  spendScopeOf,
  type EffectiveLimits,
} from './effective-limits';
import { quotaCommands, type QuotaCommands } from './quota-commands';
import { modelBase, projectKeys, rotationKey, spendBase, spendDayKey, spendScopeKeys } from './quota-keys';
import type {
  CapacityRequest,
  CapacityResult,
  ProjectLimits,
  ProjectUsage,
  QuotaEngineOptions,
  Reservation,
  ReserveRequest,
  ReserveResult,
  SpendEstimate,
  SpendHold,
} from './quota-types';
import { toProjectUsage } from './usage-report';
import { WindowsRecovery } from './windows-recovery';

const DEFAULT_WINDOW_MS = 60_000;
const DEFAULT_HEADROOM_MS = 1_000;
const DEFAULT_RETENTION_MS = 600_000;
const DEFAULT_SPEND_WINDOW_MS = 600_000;
// Lua prints numbers with 14 significant digits; token counts stay far below that.
const MAX_TOKENS = 1e12;

/**
 * Atomic multi-dimension quota reservations (RPM, TPM over every rolling window; RPD, TPD per Pacific
 * day) shared by any number of processes through one Redis. Every call is one Lua script reading
 * Redis' clock, so processes never together over-admit.
 */
export class QuotaEngine {
  private readonly commands: QuotaCommands;
  private readonly prefix: string;
  private readonly days: DayBoundaryCache;
  private readonly testClock: () => number | { frozenAtMs: number };
  private readonly windowArgs: number[];
  private readonly spendSpanMs: number;
  // Process-unique id prefix plus a counter: cheap, and unique across processes in practice.
  private readonly idPrefix = randomBytes(6).toString('hex');
  private idCounter = 0;

  constructor(redis: Redis | Cluster, options: QuotaEngineOptions) {
    this.commands = quotaCommands(redis);
    this.prefix = options.prefix;
    this.testClock = options.testClock ?? (() => 0);
    this.days = new DayBoundaryCache(options.dayBoundaries);
    const windowMs = positive(options.windowMs ?? DEFAULT_WINDOW_MS, 'windowMs');
    const headroomMs = nonNegative(options.headroomMs ?? DEFAULT_HEADROOM_MS, 'headroomMs');
    const retentionMs = positive(options.retentionMs ?? DEFAULT_RETENTION_MS, 'retentionMs');
    this.windowArgs = [windowMs, headroomMs, retentionMs];
    this.headroomMs = headroomMs;
    this.spendSpanMs =
      positive(options.spendWindowMs ?? DEFAULT_SPEND_WINDOW_MS, 'spendWindowMs') + headroomMs;
    this.recovery = new WindowsRecovery(
      this.commands,
      this.prefix,
      windowMs + headroomMs,
      this.spendSpanMs,
      () => this.commonArgs(),
      (nowMs) => dayStartOf(this.days.around(nowMs), nowMs),
      () => redis.status === 'ready',
    );
  }

  /** Puts this process' reservations back if Redis loses the windows. */
  readonly recovery: WindowsRecovery;

  /** How long past its window a reservation stays counted: the time it may take to reach Google. */
  readonly headroomMs: number;

  async reserve(req: ReserveRequest): Promise<ReserveResult> {
    const tokens = tokenCount(req.estimatedTokens, 'estimatedTokens');
    const share = req.capacityShare ?? 1;
    if (!(share > 0 && share <= 1))
      throw KeyfleetError.invalid(`capacityShare must be in (0, 1], got ${share}`);
    const bookAheadMs = nonNegative(req.bookAheadMs ?? 0, 'bookAheadMs');
    if (req.candidates.length === 0) return { kind: 'impossible', reason: `no project serves ${req.model}` };
    // The input's cost is certain; the output's is a guess, so only the input can make a request impossible.
    const inputMicros = req.spend ? costMicros(tokens, { ...req.spend, outputTokens: 0 }) : 0;

    const all = req.candidates.map((c) => effectiveLimits(c, share));
    const possible = all.filter((c) => neverPassesReason(c, tokens, inputMicros) === null);
    if (possible.length === 0) {
      const reasons = all.map((c) => `${c.projectId}: ${neverPassesReason(c, tokens, inputMicros)}`);
      return { kind: 'impossible', reason: `request can never pass: ${reasons.join('; ')}` };
    }

    const micros = req.spend ? withinSpendLimits(costMicros(tokens, req.spend), possible) : 0;
    const id = this.nextId();
    const reply = (await this.commands.kfQuotaReserve(
      rotationKey(this.prefix, req.model),
      ...this.commonArgs(),
      modelBase(this.prefix, req.model),
      tokens,
      id,
      Math.floor(bookAheadMs),
      ...this.boundaryArgs(),
      ...candidateArgs(possible),
      ...this.spendArgs(micros),
      this.recovery.epochMode(req.model),
    )) as [string, string | number, number, number, number, string] | [string, number, number, string];

    if (reply[0] === 'reserved') {
      const [, projectId, atMs, dayStartMs, nowMs, epoch] = reply as [
        string,
        string,
        number,
        number,
        number,
        string,
      ];
      const reservation: Reservation = {
        id,
        model: req.model,
        projectId: String(projectId),
        tokens,
        atMs,
        dayStartMs,
      };
      const chosen = possible.find((c) => c.projectId === reservation.projectId);
      if (req.spend && micros > 0 && chosen)
        reservation.spend = {
          ...spendPrices(req.spend),
          micros,
          scope: chosen.spendScope,
          limited: chosen.spend >= 0,
        };
      this.recovery.seen(req.model, String(epoch));
      this.recovery.reserved(reservation, String(epoch));
      return { kind: 'reserved', reservation, dueInMs: Math.max(0, atMs - nowMs) };
    }
    const [, retryAtMs, nowMs, epoch] = reply as [string, number, number, string];
    this.recovery.seen(req.model, String(epoch));
    return { kind: 'wait', retryAtMs: Number(retryAtMs), waitMs: Math.max(0, retryAtMs - nowMs) };
  }

  /**
   * How many requests like this the candidates would admit now, or book within the book-ahead, all
   * together; nothing is reserved. When none, when that changes (as `reserve` would answer the wait).
   */
  async capacity(req: CapacityRequest): Promise<CapacityResult> {
    const share = req.capacityShare ?? 1;
    const tokens = tokenCount(req.tokensPerRequest, 'tokensPerRequest');
    // A limit too small to split keeps no share, as in `reserve`.
    const estimate = Math.ceil(nonNegative(req.spendPerRequest ?? 0, 'spendPerRequest'));
    const candidates = req.candidates.map((c) => {
      const limits = effectiveLimits(c, share);
      return neverPassesReason(limits, tokens) === null ? limits : effectiveLimits(c, 1);
    });
    const micros = withinSpendLimits(estimate, candidates);
    if (candidates.length === 0) return { room: 0, retryAtMs: Infinity, waitMs: Infinity };
    const [room, retryAtMs, nowMs, epoch] = (await this.commands.kfQuotaCapacity(
      rotationKey(this.prefix, req.model),
      ...this.commonArgs(),
      modelBase(this.prefix, req.model),
      tokens,
      Math.floor(nonNegative(req.bookAheadMs ?? 0, 'bookAheadMs')),
      ...this.boundaryArgs(),
      ...candidateArgs(candidates),
      ...this.spendArgs(micros),
      this.recovery.epochMode(req.model),
    )) as [number, number, number, string];
    this.recovery.seen(req.model, String(epoch));
    if (room > 0) return { room };
    return { room: 0, retryAtMs, waitMs: Math.max(0, retryAtMs - nowMs) };
  }

  /**
   * Replaces the estimate with the real input token count (usageMetadata.promptTokenCount), and counts
   * the reservation from `sentAtMs` (Redis clock) when the request left later than its stamp, so the
   * room it frees a window later follows when it was really used. The spend held becomes the real cost:
   * `outputTokens` is candidates + thoughts tokens (usageMetadata); unknown, the estimate stays. Idempotent.
   * Returns the micro-dollars given back (the held estimate less the real cost; negative if it cost more).
   */
  async correct(
    reservation: Reservation,
    actualTokens: number,
    sentAtMs = 0,
    outputTokens?: number,
  ): Promise<number> {
    const actual = tokenCount(actualTokens, 'actualTokens');
    const { spend } = reservation;
    const output =
      outputTokens === undefined ? spend?.outputTokens : tokenCount(outputTokens, 'outputTokens');
    const micros = spend ? costMicros(actual, { ...spend, outputTokens: output ?? 0 }) : 0;
    this.recovery.corrected(reservation, actual, Math.ceil(sentAtMs), micros);
    await this.commands.kfQuotaCorrect(...this.adjustArgs(reservation), actual, Math.ceil(sentAtMs), micros);
    return spend ? spend.micros - micros : 0;
  }

  /**
   * The request could not leave in time (it was held back at its send deadline): counts it from now
   * instead, so it may still go now. Allowed only early in its window (see RESTAMP_LUA); null when not.
   */
  async restamp(reservation: Reservation): Promise<Reservation | null> {
    const atMs = Number(await this.commands.kfQuotaRestamp(...this.adjustArgs(reservation)));
    if (atMs <= 0) return null;
    this.recovery.restamped(reservation, atMs);
    return { ...reservation, atMs };
  }

  /** The request never went out: gives back its request and tokens. Idempotent. */
  async release(reservation: Reservation): Promise<void> {
    this.recovery.released(reservation);
    await this.commands.kfQuotaRelease(...this.adjustArgs(reservation));
  }

  /** Keeps a project+model out of rotation until `untilMs` (Redis clock); a longer block in place wins. */
  async block(projectId: string, model: string, untilMs: number, reason: string): Promise<void> {
    const keys = projectKeys(this.prefix, model, projectId);
    await this.commands.kfQuotaBlock(keys.block, ...this.commonArgs(), Math.ceil(untilMs), reason);
  }

  async blockedUntil(projectId: string, model: string): Promise<number | null> {
    const keys = projectKeys(this.prefix, model, projectId);
    const until = Number(await this.commands.kfQuotaBlockedUntil(keys.block, ...this.commonArgs()));
    return until > 0 ? until : null;
  }

  /** Used and remaining per project in the current window and Pacific day (full limits, share 1). */
  async usage(model: string, projects: ProjectLimits[]): Promise<ProjectUsage[]> {
    if (projects.length === 0) return [];
    const reply = (await this.commands.kfQuotaUsage(
      rotationKey(this.prefix, model),
      ...this.commonArgs(),
      modelBase(this.prefix, model),
      ...this.boundaryArgs(),
      projects.length,
      ...projects.map((p) => p.projectId),
      spendBase(this.prefix),
      this.spendSpanMs,
      ...projects.map(spendScopeOf),
    )) as number[];
    return projects.map((limits, i) => toProjectUsage(model, limits, reply.slice(2 + i * 7, 9 + i * 7)));
  }

  /** Stops the check of the windows' epoch (Nest calls this at shutdown). */
  onModuleDestroy(): void {
    this.recovery.close();
  }

  /** Redis' clock in epoch ms: the clock every quota decision uses. */
  async nowMs(): Promise<number> {
    return Number(await this.commands.kfQuotaNow(...this.commonArgs()));
  }

  private adjustArgs(r: Reservation): (string | number)[] {
    const keys = projectKeys(this.prefix, r.model, r.projectId);
    const keyArgs = [keys.win, keys.sum, keys.pending, keys.day(r.dayStartMs)];
    const spend = r.spend ? spendScopeKeys(this.prefix, r.spend.scope) : { win: '', sum: '' };
    const spendDay = r.spend ? spendDayKey(this.prefix, r.projectId, r.dayStartMs) : '';
    const spendArgs = [spend.win, spend.sum, spendDay, this.spendSpanMs];
    return [...keyArgs, ...this.commonArgs(), r.id, r.atMs, ...spendArgs];
  }

  // The spend base, one request's cost and the spend span (see RESERVE_LUA).
  private spendArgs(micros: number): (string | number)[] {
    return [spendBase(this.prefix), micros, this.spendSpanMs];
  }

  private commonArgs(): (string | number)[] {
    const clock = this.testClock();
    return [...this.windowArgs, typeof clock === 'number' ? clock : `@${clock.frozenAtMs}`];
  }

  // Boundaries around this process' idea of now; the script picks the day that holds Redis' time.
  private boundaryArgs(): number[] {
    const clock = this.testClock();
    const aroundMs = typeof clock === 'number' ? Date.now() + clock : clock.frozenAtMs;
    const boundaries = this.days.around(aroundMs);
    return [boundaries.length, ...boundaries];
  }

  private nextId(): string {
    this.idCounter += 1;
    return `${this.idPrefix}${this.idCounter.toString(36)}`;
  }
}

/**
 * An estimate above every candidate's spend limit (a guessed output larger than a small limit) holds the
 * largest limit instead: the request then waits for an empty window rather than for ever.
 */
function withinSpendLimits(micros: number, candidates: EffectiveLimits[]): number {
  if (candidates.length === 0 || candidates.some((c) => c.spend < 0)) return micros;
  return Math.min(micros, Math.max(...candidates.map((c) => c.spend)));
}

/** Micro-dollars a request costs: a price per million tokens is a price in micro-dollars per token. */
export function costMicros(inputTokens: number, spend: SpendEstimate): number {
  return Math.ceil(inputTokens * spend.input + spend.outputTokens * spend.output);
}

function spendPrices(spend: SpendEstimate): Omit<SpendHold, 'micros' | 'scope' | 'limited'> {
  return { input: spend.input, output: spend.output, outputTokens: Math.ceil(spend.outputTokens) };
}

function dayStartOf(boundaries: number[], nowMs: number): number {
  let start = boundaries[0];
  for (const boundary of boundaries) if (boundary <= nowMs) start = boundary;
  return start;
}

function nonNegative(value: number, name: string): number {
  if (!Number.isFinite(value) || value < 0) throw KeyfleetError.invalid(`${name} must be a number >= 0`);
  return value;
}

function tokenCount(value: number, name: string): number {
  const tokens = nonNegative(Math.ceil(value), name);
  if (tokens > MAX_TOKENS) throw KeyfleetError.invalid(`${name} must be at most ${MAX_TOKENS}`);
  return tokens;
}

function positive(value: number, name: string): number {
  if (!Number.isFinite(value) || value <= 0) throw KeyfleetError.invalid(`${name} must be a number > 0`);
  return value;
}
