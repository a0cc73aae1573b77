import type { ProjectTier } from '@keyfleet/persistence';

/** A model's list price in US dollars per million tokens (= micro-dollars per token); output includes thinking. */
export interface ModelPriceRate {
  input: number;
  output: number;
}

/** A shipped price: the Pro models charge more for prompts above `longContext.aboveTokens`. */
export interface ShippedModelPrice extends ModelPriceRate {
  longContext?: ModelPriceRate & { aboveTokens: number };
}

const LONG_PROMPT = 200_000;

/**
 * Google's paid-tier (Standard) list prices for text, from https://ai.google.dev/gemini-api/docs/pricing
 * as of December 2025. Admins override them per model (PUT /admin/v1/prices/{model}); a model in neither
 * place has no price and its spend is not counted.
 */
export const SHIPPED_MODEL_PRICES: Record<string, ShippedModelPrice> = {
  'gemini-3-pro-preview': {
    input: 2,
    output: 12,
    longContext: { aboveTokens: LONG_PROMPT, input: 4, output: 18 },
  },
  'gemini-3-flash-preview': { input: 0.5, output: 3 },
  'gemini-2.5-pro': {
    input: 1.25,
    output: 10,
    longContext: { aboveTokens: LONG_PROMPT, input: 2.5, output: 15 },
  },
  'gemini-2.5-flash': { input: 0.3, output: 2.5 },
  'gemini-2.5-flash-lite': { input: 0.1, output: 0.4 },
  'gemini-2.0-flash': { input: 0.1, output: 0.4 },
  'gemini-2.0-flash-lite': { input: 0.075, output: 0.3 },
  // Embeddings are charged for their input only.
  'gemini-embedding-001': { input: 0.15, output: 0 },
};

/** The rate a request of `inputTokens` is charged at (the long-context rate above its threshold). */
export function rateFor(price: ShippedModelPrice, inputTokens: number): ModelPriceRate {
  const long = price.longContext;
  if (long && inputTokens > long.aboveTokens) return { input: long.input, output: long.output };
  return { input: price.input, output: price.output };
}

/**
 * Google's spend limits per rolling 10 minutes by usage tier (US dollars), where they apply to the
 * account; the free tier has none.
 */
export const TIER_SPEND_LIMITS_USD: Record<ProjectTier, number | null> = {
  free: null,
  tier1: 10,
  tier2: 50,
  tier3: 200,
};

/** A project's spend limit in US dollars per spend window: explicit (a value or none), else its tier's. */
export function effectiveSpendLimitUsd(project: {
  tier: ProjectTier | null;
  spendLimitExplicit: boolean;
  spendLimitUsd: number | null;
}): number | null {
  if (project.spendLimitExplicit) return project.spendLimitUsd;
  return project.tier ? TIER_SPEND_LIMITS_USD[project.tier] : null;
}
