import type { UpstreamKeyEntity, UpstreamKeyStatus } from '@keyfleet/persistence';

/** How long a fingerprint prefix is when shown: enough to tell keys apart, never the secret. */
export const SHOWN_FINGERPRINT_CHARS = 16;

export const UPSTREAM_KEY_TYPES = ['standard', 'auth'] as const;
/** `auth`: an `AQ.…` key bound to a service account; `standard`: any other (`AIza…`), refused by Gemini since 2026. */
export type UpstreamKeyType = (typeof UPSTREAM_KEY_TYPES)[number];

/** The warning a manually registered standard key is answered with. */
export const STANDARD_KEY_WARNING =
  'this is a standard (AIza…) API key: Gemini refuses standard keys since 2026 (401 ACCESS_TOKEN_TYPE_UNSUPPORTED or 400 API_KEY_INVALID); use an auth key (AQ.…) bound to a service account';

export function keyTypeOf(secret: string): UpstreamKeyType {
  return secret.startsWith('AQ.') ? 'auth' : 'standard';
}

/** An upstream key as the admin API shows it: never its secret. */
export interface UpstreamKeyView {
  id: string;
  projectId: string;
  /** From the key's prefix. */
  type: UpstreamKeyType;
  status: UpstreamKeyStatus;
  statusReason: string | null;
  statusChangedAt: string | null;
  /** First 16 hex characters of the secret's sha256. */
  fingerprint: string;
  lastFour: string;
  issuedAt: string;
  rotationDueAt: string;
  /** An active key past its rotation due date. */
  overdue: boolean;
  upstreamName: string | null;
  createdAt: string;
}

export function shortFingerprint(fingerprint: string): string {
  return fingerprint.slice(0, SHOWN_FINGERPRINT_CHARS);
}

export function toUpstreamKeyView(
  key: UpstreamKeyEntity,
  type: UpstreamKeyType,
  now = new Date(),
): UpstreamKeyView {
  return {
    id: key.id,
    projectId: key.projectId,
    type,
    status: key.status,
    statusReason: key.statusReason,
    statusChangedAt: key.statusChangedAt?.toISOString() ?? null,
    fingerprint: shortFingerprint(key.fingerprint),
    lastFour: key.lastFour,
    issuedAt: key.issuedAt.toISOString(),
    rotationDueAt: key.rotationDueAt.toISOString(),
    overdue: key.status === 'active' && key.rotationDueAt.getTime() <= now.getTime(),
    upstreamName: key.upstreamName,
    createdAt: key.createdAt.toISOString(),
  };
}
