import { Inject, Injectable, Optional } from '@nestjs/common';
import type { Cluster, Redis } from 'ioredis';
import { ClientSpend } from '@keyfleet/accounting';
import { KEYFLEET_CONFIG, type KeyfleetConfig } from '@keyfleet/config';
import type { ClientBudget } from '@keyfleet/persistence';
import { REDIS_CLIENT } from '@keyfleet/queue';
import { BUDGET_ADJUST_LUA, BUDGET_RESERVE_LUA } from './budget-lua';
import { limitsFor, type BudgetLimit } from './budget-periods';

/** Micro-dollars held against a client's counters until the call is settled or released. */
export interface BudgetHold {
  keys: string[];
  micros: number;
}

/** The limit a call would pass: how much of it is spent or in flight, and the call's estimate. */
export interface BudgetRefusal {
  limit: BudgetLimit;
  countedMicros: number;
  estimateMicros: number;
}

export type BudgetAnswer = { hold: BudgetHold } | { refused: BudgetRefusal };

/** What is left under the tightest limit that applies (null: no limit applies). */
export interface BudgetLeft {
  limit: BudgetLimit;
  leftMicros: number;
}

type Command = (...args: Array<string | number>) => Promise<unknown>;
// Counters outlive their period by a day: a late correction still finds them, then they go.
const KEEP_AFTER_PERIOD_MS = 86_400_000;

/**
 * Client budgets, exact under concurrency: one Redis counter per client, limit and period holds what
 * was spent plus what is in flight. A call reserves its estimate on every counter that applies in one
 * script (all or none), and the settle corrects by the real cost; so concurrent calls, on any number of
 * processes, never together pass a limit by more than their estimates were short. A counter Redis does
 * not have (first use, a new period, Redis lost) is seeded from accounting's spend of the period in
 * Postgres (ClientSpend; SET NX: one seed wins). Calls in flight on a lost counter, and records still in
 * a recorder's buffer, are not in the seed: a bounded, one-off shortfall. A process that dies with calls
 * in flight leaves their estimates counted until the period ends (on the safe side).
 */
@Injectable()
export class ClientBudgets {
  private readonly reserveCommand: Command;
  private readonly adjustCommand: Command;
  private readonly prefix: string;

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis | Cluster,
    @Inject(KEYFLEET_CONFIG) config: KeyfleetConfig,
    // Absent only where a process runs without accounting (some tests): counters then start at 0.
    @Optional() @Inject(ClientSpend) private readonly spent: ClientSpend | null = null,
  ) {
    this.prefix = config.queuePrefix;
    const client = this.redis as unknown as Record<string, Command | undefined>;
    if (typeof client['kfBudgetReserve'] !== 'function')
      this.redis.defineCommand('kfBudgetReserve', { lua: BUDGET_RESERVE_LUA });
    if (typeof client['kfBudgetAdjust'] !== 'function')
      this.redis.defineCommand('kfBudgetAdjust', { lua: BUDGET_ADJUST_LUA });
    this.reserveCommand = (...args) => (client['kfBudgetReserve'] as Command).apply(this.redis, args);
    this.adjustCommand = (...args) => (client['kfBudgetAdjust'] as Command).apply(this.redis, args);
  }

  /** Holds `micros` on every limit of the client's budget for `model`, or names the limit it would pass. */
  async reserve(
    clientId: string,
    budget: ClientBudget | null | undefined,
    model: string,
    micros: number,
    nowMs = Date.now(),
  ): Promise<BudgetAnswer> {
    const limits = limitsFor(budget, model, nowMs);
    const estimate = Math.max(0, Math.ceil(micros));
    if (limits.length === 0) return { hold: { keys: [], micros: estimate } };
    const keys = limits.map((limit) => this.keyOf(clientId, limit));
    const args = [keys.length, ...keys, estimate, ...limits.map((limit) => limit.limitMicros)];
    for (let seeded = 0; ; seeded++) {
      const [verdict, index, counted] = (await this.reserveCommand(...args)) as number[];
      if (verdict === 1) return { hold: { keys, micros: estimate } };
      const limit = limits[index - 1];
      if (verdict === 0) return { refused: { limit, countedMicros: counted, estimateMicros: estimate } };
      if (seeded > keys.length) throw new Error('budget counters could not be seeded');
      await this.seed(clientId, limit, keys[index - 1], nowMs);
    }
  }

  /** The call cost `actualMicros`: the counters count that instead of the estimate. */
  async settle(hold: BudgetHold, actualMicros: number): Promise<void> {
    const delta = Math.ceil(actualMicros) - hold.micros;
    if (hold.keys.length > 0 && delta !== 0) await this.adjustCommand(hold.keys.length, ...hold.keys, delta);
  }

  /** The call cost nothing (never sent, refused upstream): its estimate is given back. */
  release(hold: BudgetHold): Promise<void> {
    return this.settle(hold, 0);
  }

  /** What the tightest limit for `model` leaves now (spend and in-flight counted), or null if none applies. */
  async left(
    clientId: string,
    budget: ClientBudget | null | undefined,
    model: string,
    nowMs = Date.now(),
  ): Promise<BudgetLeft | null> {
    let tightest: BudgetLeft | null = null;
    for (const limit of limitsFor(budget, model, nowMs)) {
      const key = this.keyOf(clientId, limit);
      const counted = await this.seed(clientId, limit, key, nowMs);
      const leftMicros = Math.max(0, limit.limitMicros - counted);
      if (!tightest || leftMicros < tightest.leftMicros) tightest = { limit, leftMicros };
    }
    return tightest;
  }

  /** The counter's value, seeded from accounting first if Redis does not have it. */
  private async seed(clientId: string, limit: BudgetLimit, key: string, nowMs: number): Promise<number> {
    const { redis } = this;
    const current = await redis.get(key);
    if (current !== null) return Number(current);
    const { startMs, endMs } = limit.span;
    const spent = this.spent
      ? await this.spent.spentMicroUsd(clientId, new Date(startMs), new Date(nowMs), limit.model ?? undefined)
      : 0;
    const ttlMs = Math.max(1, endMs - nowMs + KEEP_AFTER_PERIOD_MS);
    await redis.set(key, Math.ceil(spent), 'PX', ttlMs, 'NX');
    return Number((await redis.get(key)) ?? spent);
  }

  private keyOf(clientId: string, limit: BudgetLimit): string {
    // {clientId}: one hash slot per client, so one script can touch all its counters on a cluster.
    return `${this.prefix}:budget:{${clientId}}:${limit.model ?? '*'}:${limit.span.id}`;
  }
}
