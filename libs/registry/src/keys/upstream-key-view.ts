import type { UpstreamKeyEntity, UpstreamKeyStatus } from '@keyfleet/persistence';

/** How long a fingerprint prefix is when shown: enough to tell keys apart, never the secret. */
export const SHOWN_FINGERPRINT_CHARS = 16;

/** An upstream key as the admin API shows it: never its secret. */
export interface UpstreamKeyView {
  id: string;
  projectId: string;
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

export function toUpstreamKeyView(key: UpstreamKeyEntity, now = new Date()): UpstreamKeyView {
  return {
    id: key.id,
    projectId: key.projectId,
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
