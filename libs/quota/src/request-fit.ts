import { effectiveLimits, neverPassesReason } from './effective-limits';
import type { ProjectLimits } from './quota-types';

/**
 * Whether a request of `tokens` estimated input tokens can ever pass on one of these projects (the
 * engine's own rule, at the whole limit), so that one which never can is refused when it is submitted
 * instead of waiting forever. Built once per submission, asked once per item.
 */
export function requestFit(projects: readonly ProjectLimits[]): (tokens: number) => boolean {
  const limits = projects.map((project) => effectiveLimits(project, 1));
  return (tokens) => limits.some((candidate) => neverPassesReason(candidate, tokens) === null);
}

/** The most input tokens one request may have on these projects (TPM, or a smaller TPD); 0 if none. */
export function largestRequestTokens(projects: readonly ProjectLimits[]): number {
  return Math.max(0, ...projects.map((p) => Math.min(p.tpm, p.tpd ?? Infinity)));
}
