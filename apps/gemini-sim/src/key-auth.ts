// Google's key checks, in its order: the key must exist, be in good standing, and be used from an allowed IP.
import {
  apiKeyInvalidBody,
  consumerSuspendedBody,
  ipAddressBlockedBody,
  leakedKeyBody,
  serviceBlockedBody,
  type GoogleErrorBody,
} from './errors/google-error-bodies';
import { isIpAllowed } from './http/request-io';
import type { KeyEntry, SimState } from './sim-state';

export type KeyCheck = { ok: true; entry: KeyEntry } | { ok: false; body: GoogleErrorBody };

/** `method` names the RPC for API_KEY_SERVICE_BLOCKED, e.g. "GenerativeService.GenerateContent". */
export function checkKey(state: SimState, key: string | undefined, peerIp: string, method: string): KeyCheck {
  const entry = key ? state.findKey(key) : undefined;
  if (!entry) return { ok: false, body: apiKeyInvalidBody() };
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
