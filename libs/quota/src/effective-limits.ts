import type { ProjectLimits } from './quota-types';

/** A candidate's limits scaled by the caller's capacity share; -1 = unlimited (what the script takes). */
export interface EffectiveLimits {
  projectId: string;
  rpm: number;
  tpm: number;
  rpd: number;
  tpd: number;
}

export function effectiveLimits(limits: ProjectLimits, share: number): EffectiveLimits {
  return {
    projectId: limits.projectId,
    rpm: Math.floor(limits.rpm * share),
    tpm: Math.floor(limits.tpm * share),
    rpd: limits.rpd === null ? -1 : limits.rpd * share,
    tpd: limits.tpd === null ? -1 : limits.tpd * share,
  };
}

/** Why a request of `tokens` can never pass on this candidate, or null if it can once there is room. */
export function neverPassesReason(limits: EffectiveLimits, tokens: number): string | null {
  const atLeast = Math.max(1, tokens);
  if (limits.rpm < 1) return 'RPM share below one request';
  if (limits.tpm < atLeast) return `${tokens} tokens exceed the TPM share ${limits.tpm}`;
  if (limits.rpd !== -1 && limits.rpd < 1) return 'RPD share below one request';
  if (limits.tpd !== -1 && limits.tpd < atLeast) return `${tokens} tokens exceed the TPD share ${limits.tpd}`;
  return null;
}

/** Script arguments for the candidates: projectId, rpm, tpm, rpd, tpd each. */
export function candidateArgs(candidates: EffectiveLimits[]): (string | number)[] {
  const args: (string | number)[] = [candidates.length];
  for (const c of candidates) args.push(c.projectId, c.rpm, c.tpm, c.rpd, c.tpd);
  return args;
}
