// Google's key checks, in its order: the key must exist, be of a kind Google still takes, be in good
// standing, and be used from an allowed IP.
import {
  accessTokenTypeUnsupportedBody,
  apiKeyInvalidBody,
  consumerSuspendedBody,
  ipAddressBlockedBody,
  leakedKeyBody,
  serviceBlockedBody,
  unauthenticatedKeyBody,
  type GoogleErrorBody,
} from './errors/google-error-bodies';
import { isIpAllowed } from './http/request-io';
import type { KeyEntry, SimState } from './sim-state';

export type KeyCheck = { ok: true; entry: KeyEntry } | { ok: false; body: GoogleErrorBody };

/** `method` names the RPC for API_KEY_SERVICE_BLOCKED, e.g. "GenerativeService.GenerateContent". */
export function checkKey(state: SimState, key: string | undefined, peerIp: string, method: string): KeyCheck {
  const entry = key ? state.findKey(key) : undefined;
  if (!entry) return { ok: false, body: apiKeyInvalidBody() };
  const refusal = refusalOf(state, entry, method);
  if (refusal) return { ok: false, body: refusal };
  const projectId = entry.project.id;
  switch (entry.spec.status) {
    case 'leaked':
      return { ok: false, body: leakedKeyBody() };
    case 'suspended':
      return { ok: false, body: consumerSuspendedBody(projectId) };
    case 'service_blocked':
      return { ok: false, body: serviceBlockedBody(projectId, method) };
    case 'active':
      break;
  }
  if (!isIpAllowed(peerIp, entry.spec.allowedIps))
    return { ok: false, body: ipAddressBlockedBody(peerIp, projectId) };
  return { ok: true, entry };
}

/** Standard keys are `AIza…`; anything else (`AQ.…` auth keys, test names) counts as an auth key. */
export function isStandardKey(key: string): boolean {
  return key.startsWith('AIza');
}

function isRestricted(entry: KeyEntry): boolean {
  return entry.spec.allowedIps.length > 0 || (entry.issued?.apiTargets ?? false);
}

/** A new key still propagating, or a standard key the run's policy refuses. */
function refusalOf(state: SimState, entry: KeyEntry, method: string): GoogleErrorBody | undefined {
  // Wall-clock time, as the API Keys store stamps it (independent of an injected quota clock).
  if (entry.issued && Date.now() < entry.issued.workingFrom) return unauthenticatedKeyBody();
  if (!isStandardKey(entry.spec.key)) return undefined;
  const policy = state.config.keyPolicy;
  if (policy.standardKeys === 'accepted') return undefined;
  if (policy.standardKeys === 'restricted-only')
    return isRestricted(entry) ? undefined : accessTokenTypeUnsupportedBody(method);
  return policy.standardKeyRefusal === 'api-key-invalid'
    ? apiKeyInvalidBody()
    : accessTokenTypeUnsupportedBody(method);
}
