import { spendScopeOf } from './effective-limits';
import type { ProjectLimits, ProjectUsage } from './quota-types';

/**
 * Builds one project's usage from the script's seven numbers: window req/tokens, day req/tokens, block,
 * spend in the scope's window and the project's spend today.
 */
export function toProjectUsage(model: string, limits: ProjectLimits, counts: number[]): ProjectUsage {
  const [requests, tokens, dayRequests, dayTokens, blockedUntil, windowMicros, todayMicros] =
    counts.map(Number);
  const left = (limit: number, used: number) => Math.max(0, limit - used);
  const spendLimit = limits.spendLimit ?? null;
  return {
    projectId: limits.projectId,
    model,
    window: { requests, tokens },
    today: { requests: dayRequests, tokens: dayTokens },
    remaining: {
      rpm: left(limits.rpm, requests),
      tpm: left(limits.tpm, tokens),
      rpd: limits.rpd === null ? null : left(limits.rpd, dayRequests),
      tpd: limits.tpd === null ? null : left(limits.tpd, dayTokens),
    },
    blockedUntil: blockedUntil > 0 ? blockedUntil : null,
    spend: {
      scope: spendScopeOf(limits),
      windowMicros,
      todayMicros,
      remainingMicros: spendLimit === null ? null : left(spendLimit, windowMicros),
    },
  };
}
