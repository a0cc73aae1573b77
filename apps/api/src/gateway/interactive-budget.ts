import { Injectable, Logger } from '@nestjs/common';
import {
  answerCostMicros,
  ClientBudgets,
  maxOutputTokensOf,
  UpstreamPicker,
  type BudgetHold,
  type UpstreamSlot,
} from '@keyfleet/admission';
import { estimateTokens, type TokenEstimateInput } from '@keyfleet/quota';
import type { AuthenticatedClient } from '@keyfleet/registry';
import { ClientBudgetError } from './client-budget.error';
import type { AnswerUsage } from './usage-sniffer';

const NO_HOLD: BudgetHold = { keys: [], micros: 0 };

/**
 * An interactive call's place in its client's budget: its estimated cost is held before it waits for
 * the pool (a call that would pass the budget is refused at once, 429), corrected to the answer's real
 * cost, or given back when nothing was answered.
 */
@Injectable()
export class InteractiveBudget {
  private readonly logger = new Logger(InteractiveBudget.name);

  constructor(
    private readonly budgets: ClientBudgets,
    private readonly picker: UpstreamPicker,
  ) {}

  async hold(client: AuthenticatedClient, model: string, estimate: TokenEstimateInput): Promise<BudgetHold> {
    if (!client.budget) return NO_HOLD; // no budget: nothing to count
    const price = await this.picker.pricer(model);
    const micros = price ? price(estimateTokens(estimate), maxOutputTokensOf(estimate)) : 0;
    const answer = await this.budgets.reserve(client.clientId, client.budget, model, micros);
    if ('refused' in answer) throw new ClientBudgetError(answer.refused);
    return answer.hold;
  }

  /** The answer's real cost replaces the estimate (an answer without usage: the estimate stands). */
  settle(hold: BudgetHold, slot: UpstreamSlot, usage: AnswerUsage | null): void {
    if (hold.keys.length === 0 || usage === null) return;
    const output = usage.outputTokens ?? slot.reservation.spend?.outputTokens ?? 0;
    const cost = answerCostMicros(slot.reservation, usage.promptTokens, output);
    this.budgets.settle(hold, cost).catch((error: unknown) => this.warn(error));
  }

  release(hold: BudgetHold): void {
    if (hold.keys.length > 0) this.budgets.release(hold).catch((error: unknown) => this.warn(error));
  }

  private warn(error: unknown): void {
    this.logger.warn(`correcting a budget hold failed: ${String(error)}`);
  }
}
