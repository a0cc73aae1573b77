import { GEMINI_API_SERVICE, type KeyRestrictions } from './key-issuer';

/** What every keyfleet key of a project should allow: the Gemini API, from the project's egress IPs. */
export function expectedRestrictions(egressIps: readonly string[]): KeyRestrictions {
  return { services: [GEMINI_API_SERVICE], allowedIps: [...egressIps] };
}

const sorted = (values: readonly string[]) => [...new Set(values)].sort();

/** True if the key upstream allows something else than keyfleet expects (order does not matter). */
export function restrictionsDrifted(actual: KeyRestrictions, expected: KeyRestrictions): boolean {
  return (
    JSON.stringify(sorted(actual.services)) !== JSON.stringify(sorted(expected.services)) ||
    JSON.stringify(sorted(actual.allowedIps)) !== JSON.stringify(sorted(expected.allowedIps))
  );
}
