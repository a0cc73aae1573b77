import { Injectable, Logger } from '@nestjs/common';
import { ClientBudgets, maxOutputTokensOf, UpstreamPicker, type BudgetHold } from '@keyfleet/admission';
import { KeyfleetMetrics } from '@keyfleet/observability';
import { estimateTokens, type TokenEstimateInput } from '@keyfleet/quota';
import type { AuthenticatedClient } from '@keyfleet/registry';
import { ClientBudgetError } from './client-budget.error';

const NO_HOLD: BudgetHold = { keys: [], micros: 0 };

/**
 * An interactive call's place in its client's budget: its estimated cost is held before it waits for
 * the pool (a call that would pass the budget is refused at once, 429), corrected to the cost accounting
 * records for the answer, or given back when nothing was answered.
 */
@Injectable()
export class InteractiveBudget {
  private readonly logger = new Logger(InteractiveBudget.name);

  constructor(
    private readonly budgets: ClientBudgets,
    private readonly picker: UpstreamPicker,
    private readonly metrics: KeyfleetMetrics,
  ) {}

  async hold(client: AuthenticatedClient, model: string, estimate: TokenEstimateInput): Promise<BudgetHold> {
    if (!client.budget) return NO_HOLD; // no budget: nothing to count
    const price = await this.picker.pricer(model);
    const micros = price ? price(estimateTokens(estimate), maxOutputTokensOf(estimate)) : 0;
    const answer = await this.budgets.reserve(client.clientId, client.budget, model, micros);
    if ('refused' in answer) {
      this.metrics.clientBudgetRefused(model, answer.refused.limit.span.period, 'interactive');
      throw new ClientBudgetError(answer.refused);
    }
    return answer.hold;
  }

  /** The answer's real cost (as accounting records it) replaces the estimate. */
  settle(hold: BudgetHold, costMicros: number): void {
    if (hold.keys.length > 0)
      this.budgets.settle(hold, costMicros).catch((error: unknown) => this.warn(error));
  }

  release(hold: BudgetHold): void {
    if (hold.keys.length > 0) this.budgets.release(hold).catch((error: unknown) => this.warn(error));
  }

  private warn(error: unknown): void {
    this.logger.warn(`correcting a budget hold failed: ${String(error)}`);
  }
}
