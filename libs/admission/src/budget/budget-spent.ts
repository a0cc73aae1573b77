/** Where a budget counter's starting value comes from: what the client has spent in a period. */
export interface BudgetSpentSource {
  /** Micro-dollars spent by `clientId` from `from` to `to` (on `model` only, when given). */
  spentMicroUsd(clientId: string, from: Date, to: Date, model?: string): Promise<number>;
}

export const BUDGET_SPENT_SOURCE = Symbol('BUDGET_SPENT_SOURCE');
