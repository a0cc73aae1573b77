import { Injectable } from '@nestjs/common';
import { ClientBudgets, usd } from '@keyfleet/admission';
import type { BatchItemInput, ParsedBatch } from '@keyfleet/batches';
import { KeyfleetError } from '@keyfleet/errors';
import type { AuthenticatedClient } from '@keyfleet/registry';

type Items = ParsedBatch['items'];

/**
 * A batch whose estimated cost passes what its client's budget has left is refused (400) before
 * anything is stored: once the last item has streamed past (and been priced, as admission will price
 * it, by the submission's BatchCostTally), the check runs, which rolls the whole submission back.
 */
@Injectable()
export class BatchBudget {
  constructor(private readonly budgets: ClientBudgets) {}

  /** `estimateMicros`: the batch's estimated cost, read after its last item (null: the model has no price). */
  async check(
    client: AuthenticatedClient,
    model: string,
    items: Items,
    estimateMicros: () => number | null,
  ): Promise<Items> {
    const left = await this.budgets.left(client.clientId, client.budget, model);
    if (!left) return items; // no limit for this model
    const { limit, leftMicros } = left;
    const period = limit.span.period === 'day' ? 'daily' : 'monthly';
    return thenCheck(items, () => {
      const estimate = estimateMicros();
      if (estimate === null || estimate <= leftMicros) return;
      throw KeyfleetError.invalid(
        `requests: the batch's estimated cost (${usd(Math.ceil(estimate))}) passes what the client's ${period} ` +
          `budget for ${limit.model ?? 'all models'} has left (${usd(leftMicros)} of ` +
          `${usd(limit.limitMicros)}, until ${new Date(limit.span.endMs).toISOString()})`,
      );
    });
  }
}

async function* thenCheck(items: Items, check: () => void): AsyncGenerator<BatchItemInput> {
  for await (const item of items) yield item;
  check();
}
