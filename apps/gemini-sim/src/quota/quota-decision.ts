// Turns a project's limits and windows into admission or Google's 429 body, and keeps the stats.
import type { ResolvedSimProject, SimModelLimits } from '@keyfleet/testing';
import {
  formatRetryDelay,
  helpOnlyResourceExhaustedBody,
  quotaExceededBody,
  type QuotaViolation,
} from '../errors/google-error-bodies';
import type { SimContext } from '../sim-context';
import { requestCostMicros } from './prices';
import { checkQuota } from './quota-gate';
import { quotaIdentity, type QuotaDimension } from './quota-ids';
import { MINUTE_MS } from './window-tracker';

export interface QuotaRefusalAnswer {
  status: 429;
  body: unknown;
}

const NO_QUOTA: SimModelLimits = { rpm: 0, tpm: 0, rpd: 0 };

function violations(
  project: ResolvedSimProject,
  model: string,
  limits: SimModelLimits,
  dims: QuotaDimension[],
) {
  return dims.map((dimension): QuotaViolation => ({
    ...quotaIdentity(project.tier, dimension),
    model,
    limit: limits[dimension] ?? 0,
  }));
}

/**
 * Admits (and records) the request, or answers 429. Requests refused with 429 do not count, as at Google.
 * Past the rate limits, the billing account's spend window must hold the request's cost (input and the
 * output it will produce); else the Help-only 429.
 */
export function admitOrRefuse(
  ctx: SimContext,
  project: ResolvedSimProject,
  model: string,
  tokens: number,
  outputTokens = 0,
  priceFactor = 1,
): QuotaRefusalAnswer | null {
  const now = ctx.now();
  const limits = project.limits[model];
  if (!limits) return refuseModelWithoutQuota(ctx, project, model, now);
  const windows = ctx.state.windowsFor(project.id, model);
  windows.advance(now);
  const refusal = checkQuota(windows, limits, ctx.state.config.windowMode, now, tokens);
  if (refusal) {
    const violated = violations(project, model, limits, refusal.dimensions);
    ctx.state.stats.refused(
      project.id,
      model,
      limits,
      violated.map((v) => v.quotaId),
    );
    return { status: 429, body: quotaExceededBody(violated, formatRetryDelay(refusal.retryAfterMs)) };
  }
  const { config } = ctx.state;
  const cost = requestCostMicros(config.prices, model, tokens, outputTokens, priceFactor);
  const { account, limitMicros } = ctx.state.spendAccountOf(project);
  const spend = ctx.state.spendFor(account);
  spend.advance(now);
  if (limitMicros !== null && spend.used + cost > limitMicros) {
    ctx.state.stats.refused(project.id, model, limits, []);
    ctx.state.stats.spendRefused(account, limitMicros);
    return { status: 429, body: helpOnlyResourceExhaustedBody() };
  }
  windows.record(now, tokens);
  ctx.state.recordSpend(project, now, cost);
  ctx.state.stats.admitted(project.id, model, limits, now, tokens);
  return null;
}

/** A model this project has no limits for: Google's "limit: 0" 429. */
function refuseModelWithoutQuota(ctx: SimContext, project: ResolvedSimProject, model: string, now: number) {
  const violated = violations(project, model, NO_QUOTA, ['rpm', 'tpm', 'rpd']);
  ctx.state.stats.refused(
    project.id,
    model,
    NO_QUOTA,
    violated.map((v) => v.quotaId),
  );
  const untilNextMinute = MINUTE_MS - (now % MINUTE_MS);
  return { status: 429 as const, body: quotaExceededBody(violated, formatRetryDelay(untilNextMinute)) };
}
