import { Injectable } from '@nestjs/common';
import { ClientBudgets, maxOutputTokensOf, UpstreamPicker, usd } from '@keyfleet/admission';
import type { BatchItemInput, ParsedBatch } from '@keyfleet/batches';
import { KeyfleetError } from '@keyfleet/errors';
import type { AuthenticatedClient } from '@keyfleet/registry';

type Items = ParsedBatch['items'];

/**
 * A batch whose estimated cost passes what its client's budget has left is refused (400) before
 * anything is stored: the items are priced as they stream past (as admission will price them), and
 * the last one is followed by the check, which rolls the whole submission back.
 */
@Injectable()
export class BatchBudget {
  constructor(
    private readonly budgets: ClientBudgets,
    private readonly picker: UpstreamPicker,
  ) {}

  /** `priceFactor`: the lane's share of the live price (economy: 0.5). */
  async check(client: AuthenticatedClient, model: string, items: Items, priceFactor = 1): Promise<Items> {
    const left = await this.budgets.left(client.clientId, client.budget, model);
    const price = left ? await this.picker.pricer(model) : null;
    if (!left || !price) return items; // no limit for this model, or nothing to price it by
    const { limit, leftMicros } = left;
    const period = limit.span.period === 'day' ? 'daily' : 'monthly';
    const refuse = (estimate: number) =>
      KeyfleetError.invalid(
        `requests: the batch's estimated cost (${usd(estimate)}) passes what the client's ${period} ` +
          `budget for ${limit.model ?? 'all models'} has left (${usd(leftMicros)} of ` +
          `${usd(limit.limitMicros)}, until ${new Date(limit.span.endMs).toISOString()})`,
      );
    const priceOf = (item: BatchItemInput) =>
      price(item.estTokens ?? 0, maxOutputTokensOf(item.request)) * priceFactor;
    return withinBudget(items, priceOf, leftMicros, refuse);
  }
}

async function* withinBudget(
  items: Items,
  price: (item: BatchItemInput) => number,
  leftMicros: number,
  refuse: (estimate: number) => KeyfleetError,
): AsyncGenerator<BatchItemInput> {
  let estimate = 0;
  for await (const item of items) {
    estimate += price(item);
    yield item;
  }
  if (estimate > leftMicros) throw refuse(Math.ceil(estimate));
}
