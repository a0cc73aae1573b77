// Google's service tiers on generation: `serviceTier` (the SDK's field; `service_tier` too) in the body.
// Flex costs half and may be shed with 503 UNAVAILABLE; it still counts against RPM/TPM/RPD. Every
// generation answer says in `x-gemini-service-tier` which tier served it.
import { invalidArgumentBody, overloadedBody, type GoogleErrorBody } from './errors/google-error-bodies';
import { decideGeneration, type GateDecision } from './generation-gate';
import type { Reply } from './http/reply';
import { requestCostMicros } from './quota/prices';
import type { SimContext } from './sim-context';
import type { KeyEntry } from './sim-state';

export type ServiceTier = 'standard' | 'flex' | 'priority';

export const FLEX_PRICE_FACTOR = 0.5;
export const SERVICE_TIER_HEADER = 'x-gemini-service-tier';

const TIERS: Record<string, ServiceTier> = {
  unspecified: 'standard',
  standard: 'standard',
  flex: 'flex',
  priority: 'priority',
};

/** The tier a native request asks for (absent = standard), or Google's 400 naming the field. */
export function serviceTierOf(request: Record<string, unknown>): ServiceTier | GoogleErrorBody {
  const value = request.serviceTier ?? request.service_tier;
  if (value === undefined || value === null) return 'standard';
  const tier =
    typeof value === 'string' ? TIERS[value.toLowerCase().replace(/^service_tier_/, '')] : undefined;
  if (tier) return tier;
  return invalidArgumentBody(
    `Invalid value at 'service_tier' (type.googleapis.com/google.ai.generativelanguage.v1beta.ServiceTier), ${JSON.stringify(value)}`,
  );
}

// OpenAI's names: "auto" and "default" are the standard tier.
const OPENAI_TIERS: Record<string, ServiceTier> = {
  auto: 'standard',
  default: 'standard',
  flex: 'flex',
  priority: 'priority',
};

/** The tier an OpenAI-compatible request asks for with `service_tier`, or a 400 naming it. */
export function openAiServiceTierOf(request: Record<string, unknown>): ServiceTier | GoogleErrorBody {
  const value = request.service_tier;
  if (value === undefined || value === null) return 'standard';
  const tier = typeof value === 'string' ? OPENAI_TIERS[value] : undefined;
  return tier ?? invalidArgumentBody(`Invalid value for service_tier: ${JSON.stringify(value)}`);
}

export function setTierHeader(reply: Reply, tier: ServiceTier): void {
  reply.res.setHeader(SERVICE_TIER_HEADER, tier);
}

/** Scripted sheds first (`faults.flexShedCount`), then the dice (`faults.flexShedRate`). */
function shed(ctx: SimContext): boolean {
  const { faults } = ctx.state.config;
  if (faults.flexShedCount > 0) {
    faults.flexShedCount -= 1;
    return true;
  }
  return faults.flexShedRate > 0 && ctx.random() < faults.flexShedRate;
}

/** decideGeneration for a tier: Flex may be shed, and is charged half price when admitted. */
export function decideForTier(
  ctx: SimContext,
  entry: KeyEntry,
  model: string,
  tokens: number,
  outputTokens: number,
  tier: ServiceTier,
): GateDecision {
  if (tier !== 'flex') return decideGeneration(ctx, entry, model, tokens, outputTokens);
  const totals = ctx.state.stats.flex;
  totals.requests += 1;
  if (shed(ctx)) {
    totals.shed += 1;
    return { kind: 'error', status: 503, body: overloadedBody(), delayMs: 0 };
  }
  const decision = decideGeneration(ctx, entry, model, tokens, outputTokens, FLEX_PRICE_FACTOR);
  if (decision.kind === 'admitted') {
    totals.admitted += 1;
    const { prices } = ctx.state.config;
    totals.spendMicros += requestCostMicros(prices, model, tokens, outputTokens, FLEX_PRICE_FACTOR);
  }
  return decision;
}
