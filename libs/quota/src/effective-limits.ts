import type { ProjectLimits } from './quota-types';

/** A candidate's limits scaled by the caller's capacity share; -1 = unlimited (what the script takes). */
export interface EffectiveLimits {
  projectId: string;
  rpm: number;
  tpm: number;
  rpd: number;
  tpd: number;
  /** Micro-dollars per spend window, -1 = none. */
  spend: number;
  spendScope: string;
}

export function effectiveLimits(limits: ProjectLimits, share: number): EffectiveLimits {
  const spendLimit = limits.spendLimit ?? null;
  return {
    projectId: limits.projectId,
    rpm: Math.floor(limits.rpm * share),
    tpm: Math.floor(limits.tpm * share),
    rpd: limits.rpd === null ? -1 : limits.rpd * share,
    tpd: limits.tpd === null ? -1 : limits.tpd * share,
    spend: spendLimit === null ? -1 : Math.floor(spendLimit * share),
    spendScope: spendScopeOf(limits),
  };
}

/** The billing group's scope, or the project's own. */
export function spendScopeOf(limits: Pick<ProjectLimits, 'projectId' | 'spendScope'>): string {
  return limits.spendScope ?? `p:${limits.projectId}`;
}

/** Why a request of `tokens` costing `micros` can never pass on this candidate, or null if it can once there is room. */
export function neverPassesReason(limits: EffectiveLimits, tokens: number, micros = 0): string | null {
  const atLeast = Math.max(1, tokens);
  if (limits.rpm < 1) return 'RPM share below one request';
  if (limits.tpm < atLeast) return `${tokens} tokens exceed the TPM share ${limits.tpm}`;
  if (limits.rpd !== -1 && limits.rpd < 1) return 'RPD share below one request';
  if (limits.tpd !== -1 && limits.tpd < atLeast) return `${tokens} tokens exceed the TPD share ${limits.tpd}`;
  if (limits.spend !== -1 && limits.spend < micros)
    return `an estimated ${micros} micro-dollars exceed the spend share ${limits.spend}`;
  return null;
}

/** Script arguments for the candidates: projectId, rpm, tpm, rpd, tpd, spend limit, spend scope each. */
export function candidateArgs(candidates: EffectiveLimits[]): (string | number)[] {
  const args: (string | number)[] = [candidates.length];
  for (const c of candidates) args.push(c.projectId, c.rpm, c.tpm, c.rpd, c.tpd, c.spend, c.spendScope);
  return args;
}
