import { effectiveLimits, neverPassesReason } from './effective-limits';
import type { ProjectLimits } from './quota-types';

/**
 * Whether a request of `tokens` estimated input tokens can ever pass on one of these projects (the
 * engine's own rule, at the whole limit), so that one which never can is refused when it is submitted
 * instead of waiting forever.
 */
export function fitsSomeProject(projects: readonly ProjectLimits[], tokens: number): boolean {
  return projects.some((project) => neverPassesReason(effectiveLimits(project, 1), tokens) === null);
}

/** The most input tokens one request may have on these projects (TPM, or a smaller TPD); 0 if none. */
export function largestRequestTokens(projects: readonly ProjectLimits[]): number {
  return Math.max(0, ...projects.map((p) => Math.min(p.tpm, p.tpd ?? Infinity)));
}
