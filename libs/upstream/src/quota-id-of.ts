import type { ClassifiedUpstreamError } from './upstream-error';

/** The quotaId of a 429 (the widest violation's, as classified), or null for any other failure. */
export function quotaIdOf(failure: ClassifiedUpstreamError): string | null {
  if (failure.kind !== 'quota') return null;
  const violations = failure.violations ?? [];
  const widest =
    violations.find((v) => v.scope === failure.quotaScope && v.quotaId) ?? violations.find((v) => v.quotaId);
  return widest?.quotaId ?? null;
}
