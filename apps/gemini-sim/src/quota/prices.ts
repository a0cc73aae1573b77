// What a request costs at the simulator: Google's paid-tier list prices (US dollars per million tokens,
// i.e. micro-dollars per token; ai.google.dev/gemini-api/docs/pricing, December 2025), overridable per
// model by the config's `prices`.
import type { SimModelPrice } from '@keyfleet/testing';

const LIST_PRICES: Record<string, SimModelPrice> = {
  'gemini-3-pro-preview': { input: 2, output: 12 },
  'gemini-3-flash-preview': { input: 0.5, output: 3 },
  'gemini-2.5-pro': { input: 1.25, output: 10 },
  'gemini-2.5-flash': { input: 0.3, output: 2.5 },
  'gemini-2.5-flash-lite': { input: 0.1, output: 0.4 },
  'gemini-2.0-flash': { input: 0.1, output: 0.4 },
  'gemini-2.0-flash-lite': { input: 0.075, output: 0.3 },
};

/** Micro-dollars one request costs (rounded up, after the factor), or 0 for a model without a price. */
export function requestCostMicros(
  prices: Record<string, SimModelPrice>,
  model: string,
  inputTokens: number,
  outputTokens: number,
  /** 0.5 for Batch Mode and the Flex tier (half the interactive price). */
  factor = 1,
): number {
  const price = prices[model] ?? LIST_PRICES[model];
  if (!price) return 0;
  return Math.ceil(factor * (inputTokens * price.input + outputTokens * price.output));
}
