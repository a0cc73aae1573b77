// What the simulator saw: totals, per project+model admissions and the fullest windows ever, per key counts.
import type {
  SimBatchModeTotals,
  SimFlexTotals,
  SimModelLimits,
  SimModelStats,
  SimSpendStats,
  SimStats,
  SimTotals,
} from '@keyfleet/testing';
import { PacificDayClock } from './quota/pacific-day';
import { WindowTracker } from './quota/window-tracker';

/** Per project+model figures; the windows are measured from admitted arrivals whatever the enforcement mode. */
class ModelStatsRecorder {
  private admitted = 0;
  private refused429 = 0;
  private readonly refusedByQuotaId: Record<string, number> = {};
  private admittedTokens = 0;
  private maxRequestsInRollingWindow = 0;
  private maxTokensInRollingWindow = 0;
  private maxRequestsInClockMinute = 0;
  private maxTokensInClockMinute = 0;
  private dayEverOverLimit = false;
  private readonly observed: WindowTracker;

  constructor(
    days: PacificDayClock,
    private limits: SimModelLimits,
  ) {
    this.observed = new WindowTracker(days);
  }

  setLimits(limits: SimModelLimits): void {
    this.limits = limits;
  }

  recordAdmitted(now: number, tokens: number, limits: SimModelLimits): void {
    this.limits = limits;
    this.admitted += 1;
    this.admittedTokens += tokens;
    const windows = this.observed;
    windows.advance(now);
    windows.record(now, tokens);
    // Every window's fullest moment is right after an arrival, so checking here finds the exact maximum.
    this.maxRequestsInRollingWindow = Math.max(this.maxRequestsInRollingWindow, windows.rollingRequests);
    this.maxTokensInRollingWindow = Math.max(this.maxTokensInRollingWindow, windows.rollingTokens);
    this.maxRequestsInClockMinute = Math.max(this.maxRequestsInClockMinute, windows.minuteRequests);
    this.maxTokensInClockMinute = Math.max(this.maxTokensInClockMinute, windows.minuteTokens);
    const overTpd = limits.tpd !== undefined && windows.dayTokens > limits.tpd;
    if (windows.dayRequests > limits.rpd || overTpd) this.dayEverOverLimit = true;
  }

  recordRefused(quotaIds: string[], limits: SimModelLimits): void {
    this.limits = limits;
    this.refused429 += 1;
    for (const quotaId of quotaIds)
      this.refusedByQuotaId[quotaId] = (this.refusedByQuotaId[quotaId] ?? 0) + 1;
  }

  snapshot(now: number): SimModelStats {
    this.observed.advance(now);
    const { rpm, tpm } = this.limits;
    const overLimit =
      this.dayEverOverLimit ||
      Math.max(this.maxRequestsInRollingWindow, this.maxRequestsInClockMinute) > rpm ||
      Math.max(this.maxTokensInRollingWindow, this.maxTokensInClockMinute) > tpm;
    return {
      admitted: this.admitted,
      refused429: this.refused429,
      refusedByQuotaId: { ...this.refusedByQuotaId },
      admittedTokens: this.admittedTokens,
      maxRequestsInRollingWindow: this.maxRequestsInRollingWindow,
      maxTokensInRollingWindow: this.maxTokensInRollingWindow,
      maxRequestsInClockMinute: this.maxRequestsInClockMinute,
      maxTokensInClockMinute: this.maxTokensInClockMinute,
      requestsToday: this.observed.dayRequests,
      tokensToday: this.observed.dayTokens,
      limits: { ...this.limits },
      overLimit,
    };
  }
}

const emptyTotals = (): SimTotals => ({
  requests: 0,
  admitted: 0,
  refused429: 0,
  errors4xx: 0,
  errors5xx: 0,
  dropped: 0,
  firstAdmittedAt: null,
  lastAdmittedAt: null,
  mostOpen: 0,
  byApiVersion: {},
  batchMode: {
    jobsCreated: 0,
    jobsSucceeded: 0,
    jobsFailed: 0,
    jobsCancelled: 0,
    jobsExpired: 0,
    requestsAnswered: 0,
    requestsFailed: 0,
    refused429: 0,
    spendMicros: 0,
  },
  flex: { requests: 0, admitted: 0, shed: 0, spendMicros: 0 },
});

export class SimStatsRecorder {
  private totals = emptyTotals();
  private projects = new Map<string, Map<string, ModelStatsRecorder>>();
  private keys = new Map<string, number>();
  private spend = new Map<string, SimSpendStats>();
  private open = 0;

  constructor(private readonly days: PacificDayClock) {}

  /** One request to the Gemini/OpenAI surface; only the key's last four characters are kept. */
  countRequest(key: string | undefined, apiVersion?: string): void {
    this.totals.requests += 1;
    if (apiVersion) this.totals.byApiVersion[apiVersion] = (this.totals.byApiVersion[apiVersion] ?? 0) + 1;
    if (key) {
      const last4 = key.slice(-4);
      this.keys.set(last4, (this.keys.get(last4) ?? 0) + 1);
    }
  }

  /** A request on the Gemini/OpenAI surface that is open until `onClosed` runs. */
  countOpen(): () => void {
    this.open += 1;
    this.totals.mostOpen = Math.max(this.totals.mostOpen, this.open);
    return () => (this.open -= 1);
  }

  countAnswer(status: number): void {
    if (status === 429) this.totals.refused429 += 1;
    else if (status >= 500) this.totals.errors5xx += 1;
    else if (status >= 400) this.totals.errors4xx += 1;
  }

  /** Batch Mode counters, changed in place by the batch code. */
  get batchMode(): SimBatchModeTotals {
    return this.totals.batchMode;
  }

  /** Flex-tier counters, changed in place by the generation routes. */
  get flex(): SimFlexTotals {
    return this.totals.flex;
  }

  countDropped(): void {
    this.totals.dropped += 1;
  }

  /** Lists a configured project+model (with zero counts) before any traffic. */
  register(projectId: string, model: string, limits: SimModelLimits): void {
    this.model(projectId, model, limits).setLimits(limits);
  }

  admitted(projectId: string, model: string, limits: SimModelLimits, now: number, tokens: number): void {
    this.totals.admitted += 1;
    this.totals.firstAdmittedAt ??= now;
    this.totals.lastAdmittedAt = now;
    this.model(projectId, model, limits).recordAdmitted(now, tokens, limits);
  }

  /** Spend admitted on a billing account; `inWindow` is its spend window after this request. */
  spendAdmitted(account: string, limitMicros: number | null, micros: number, inWindow: number): void {
    const stats = this.spendOf(account, limitMicros);
    stats.admittedMicros += micros;
    stats.maxMicrosInWindow = Math.max(stats.maxMicrosInWindow, inWindow);
  }

  spendRefused(account: string, limitMicros: number | null): void {
    this.spendOf(account, limitMicros).refused429 += 1;
  }

  refused(projectId: string, model: string, limits: SimModelLimits, quotaIds: string[]): void {
    this.model(projectId, model, limits).recordRefused(quotaIds, limits);
  }

  snapshot(now: number): SimStats {
    const projects: SimStats['projects'] = {};
    for (const [projectId, models] of this.projects) {
      projects[projectId] = {};
      for (const [model, recorder] of models) projects[projectId][model] = recorder.snapshot(now);
    }
    const keys: SimStats['keys'] = {};
    for (const [last4, requests] of this.keys) keys[last4] = { requests };
    const spend: SimStats['spend'] = {};
    for (const [account, stats] of this.spend) spend[account] = { ...stats };
    return {
      totals: {
        ...this.totals,
        byApiVersion: { ...this.totals.byApiVersion },
        batchMode: { ...this.totals.batchMode },
        flex: { ...this.totals.flex },
      },
      spend,
      projects,
      keys,
    };
  }

  reset(): void {
    this.totals = emptyTotals();
    this.projects = new Map();
    this.keys = new Map();
    this.spend = new Map();
  }

  private spendOf(account: string, limitMicros: number | null): SimSpendStats {
    let stats = this.spend.get(account);
    if (!stats) {
      stats = { admittedMicros: 0, maxMicrosInWindow: 0, limitMicros, refused429: 0 };
      this.spend.set(account, stats);
    }
    stats.limitMicros = limitMicros;
    return stats;
  }

  private model(projectId: string, model: string, limits: SimModelLimits): ModelStatsRecorder {
    let models = this.projects.get(projectId);
    if (!models) this.projects.set(projectId, (models = new Map<string, ModelStatsRecorder>()));
    let recorder = models.get(model);
    if (!recorder) models.set(model, (recorder = new ModelStatsRecorder(this.days, limits)));
    return recorder;
  }
}
