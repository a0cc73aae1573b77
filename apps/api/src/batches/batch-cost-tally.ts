import { maxOutputTokensOf, OutputEstimator } from '@keyfleet/admission';
import { rateFor, type ShippedModelPrice } from '@keyfleet/registry';

// Before any answer is seen the api estimates each item's output as the workers start (OutputEstimator).
const outputs = new OutputEstimator();

/** A batch's estimated cost at live prices, item by item as the submission is read. */
export class BatchCostTally {
  private usd = 0;

  constructor(
    private readonly model: string,
    private readonly price: ShippedModelPrice | null,
  ) {}

  add(request: Record<string, unknown>, inputTokens: number): void {
    if (!this.price) return;
    const rate = rateFor(this.price, inputTokens);
    const output = outputs.estimate(this.model, maxOutputTokensOf(request));
    this.usd += (inputTokens * rate.input + output * rate.output) / 1_000_000;
  }

  /** US dollars; null when the model has no price. */
  liveCostUsd(): number | null {
    return this.price ? this.usd : null;
  }
}
