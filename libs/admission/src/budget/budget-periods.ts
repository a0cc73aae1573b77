import type { ClientBudget } from '@keyfleet/persistence';

/** Budgets count per UTC calendar day and UTC calendar month (one boundary for every client). */
export type BudgetPeriod = 'day' | 'month';

export interface PeriodSpan {
  period: BudgetPeriod;
  /** `d2026-12-04` or `m2026-12`: part of the counter's key. */
  id: string;
  startMs: number;
  endMs: number;
}

/** One limit that applies to a call: on all the client's spend or on one model's, for a period. */
export interface BudgetLimit {
  /** null: all models. */
  model: string | null;
  span: PeriodSpan;
  limitMicros: number;
}

export function periodSpan(period: BudgetPeriod, nowMs: number): PeriodSpan {
  const now = new Date(nowMs);
  const year = now.getUTCFullYear();
  const month = now.getUTCMonth();
  if (period === 'month') {
    return {
      period,
      id: `m${now.toISOString().slice(0, 7)}`,
      startMs: Date.UTC(year, month, 1),
      endMs: Date.UTC(year, month + 1, 1),
    };
  }
  const startMs = Date.UTC(year, month, now.getUTCDate());
  return { period, id: `d${now.toISOString().slice(0, 10)}`, startMs, endMs: startMs + 86_400_000 };
}

/** The limits of `budget` a call of `model` counts against now (none: no budget applies). */
export function limitsFor(
  budget: ClientBudget | null | undefined,
  model: string,
  nowMs: number,
): BudgetLimit[] {
  if (!budget) return [];
  const limits: BudgetLimit[] = [];
  const add = (scope: string | null, usd: number | null | undefined, period: BudgetPeriod) => {
    if (typeof usd === 'number' && usd > 0)
      limits.push({ model: scope, span: periodSpan(period, nowMs), limitMicros: Math.round(usd * 1e6) });
  };
  add(null, budget.dailyUsd, 'day');
  add(null, budget.monthlyUsd, 'month');
  const own = budget.models?.[model];
  add(model, own?.dailyUsd, 'day');
  add(model, own?.monthlyUsd, 'month');
  return limits;
}

export const usd = (micros: number): string => `$${(micros / 1e6).toFixed(micros < 100e6 ? 4 : 2)}`;
