import { Injectable } from '@nestjs/common';
import { PoolService, rateFor, type ShippedModelPrice } from '@keyfleet/registry';
import type { UsageLane, UsageTokens } from './usage-types';

/** What each lane pays of the model's interactive (Standard) price: Flex and Batch Mode are half price. */
export const LANE_PRICE_FACTORS: Readonly<Record<UsageLane, number>> = { live: 1, flex: 0.5, economy: 0.5 };

/**
 * Micro-dollars (prices are US dollars per million tokens, i.e. micro-dollars per token) for `tokens` at
 * `price` in `lane`: the input at the input rate (the long-context rate above its threshold), answer and
 * thinking at the output rate. Cached tokens are charged at the input rate: the price table has no
 * cached-input price. Rounded to 6 decimals, what usage_records keeps, so sums reconcile exactly.
 */
export function costOfTokens(price: ShippedModelPrice, lane: UsageLane, tokens: UsageTokens): number {
  const rate = rateFor(price, tokens.inputTokens);
  const usd = tokens.inputTokens * rate.input + (tokens.outputTokens + tokens.thinkingTokens) * rate.output;
  return roundMicros(usd * LANE_PRICE_FACTORS[lane]);
}

export function roundMicros(micros: number): number {
  return Math.round(micros * 1e6) / 1e6;
}

/** Prices requests with the pool's price table (the admin's overrides of the shipped list prices). */
@Injectable()
export class UsagePricer {
  constructor(private readonly pool: PoolService) {}

  /** The request's cost in micro-dollars; 0 for a model without a price (as its spend is not counted either). */
  async costMicroUsd(model: string, lane: UsageLane, tokens: UsageTokens): Promise<number> {
    const price = await this.pool.priceOf(model);
    return price ? costOfTokens(price, lane, tokens) : 0;
  }
}
