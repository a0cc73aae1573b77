import { Injectable, Logger } from '@nestjs/common';
import { ClientBudgets, maxOutputTokensOf, UpstreamPicker, type BudgetHold } from '@keyfleet/admission';
import { BatchPauses, ECONOMY_PRICE_FACTOR } from '@keyfleet/batches';
import { KeyfleetMetrics } from '@keyfleet/observability';
import { BatchBudgetGate } from '../dispatch/batch-budget-gate';
import type { EconomyBatch, EconomyItem } from './batch-mode-jobs.store';

/**
 * Batch Mode jobs in their client's budget: a job holds its estimated cost (at Batch Mode's half price)
 * on the client's counters before it is created, and the hold is corrected to what its answers cost
 * once it ended. A job is cut to the items the budget has room for; when none fit, the batch is paused
 * and the budget resumer puts it back when the budget allows (jobs already at Google finish).
 */
@Injectable()
export class EconomyBudget {
  private readonly logger = new Logger(EconomyBudget.name);

  constructor(
    private readonly gate: BatchBudgetGate,
    private readonly budgets: ClientBudgets,
    private readonly picker: UpstreamPicker,
    private readonly pauses: BatchPauses,
    private readonly metrics: KeyfleetMetrics,
  ) {}

  /**
   * Holds the cost of the job's first items that the budget has room for: how many (all when the client
   * has no budget) and the hold; none fit → the batch is paused and `count` is 0.
   */
  async hold(
    batch: EconomyBatch,
    items: readonly EconomyItem[],
  ): Promise<{ count: number; hold: BudgetHold | null }> {
    const budget = await this.gate.budgetOf(batch.clientId);
    const left = budget ? await this.budgets.left(batch.clientId, budget, batch.model) : null;
    const price = left ? await this.picker.pricer(batch.model) : null;
    if (!left || !price) return { count: items.length, hold: null };
    let micros = 0;
    let count = 0;
    for (const item of items) {
      const cost = price(item.estTokens, maxOutputTokensOf(item.request)) * ECONOMY_PRICE_FACTOR;
      if (micros + cost > left.leftMicros) break;
      micros += cost;
      count++;
    }
    const answer = count > 0 ? await this.budgets.reserve(batch.clientId, budget, batch.model, micros) : null;
    if (answer && 'hold' in answer) return { count, hold: answer.hold };
    const limit = answer?.refused.limit ?? left.limit;
    if (await this.pauses.pause(batch.id)) {
      this.logger.log(`batch ${batch.id} paused: its client's budget is reached`);
      this.metrics.clientBudgetRefused(batch.model, limit.span.period, 'batch');
    }
    return { count: 0, hold: null };
  }

  /** The job ended: its answers cost `micros` (0 when none came). */
  async settle(hold: BudgetHold | null, micros: number): Promise<void> {
    if (hold && hold.keys.length > 0) await this.budgets.settle(hold, micros);
  }
}
