import { maxOutputTokensOf } from '@keyfleet/admission';

/** A request's estimated cost in micro-dollars (UpstreamPicker.pricer: as admission will price it). */
export type RequestPricer = (inputTokens: number, maxOutputTokens?: number) => number;

/** A batch's estimated cost at live prices, item by item as the submission is read. */
export class BatchCostTally {
  private micros = 0;

  constructor(private readonly price: RequestPricer | null) {}

  add(request: Record<string, unknown>, inputTokens: number): void {
    if (this.price) this.micros += this.price(inputTokens, maxOutputTokensOf(request));
  }

  /** Micro-dollars; null when the model has no price. */
  liveCostMicros(): number | null {
    return this.price ? this.micros : null;
  }

  /** US dollars; null when the model has no price. */
  liveCostUsd(): number | null {
    return this.price ? this.micros / 1e6 : null;
  }
}
