import type { KeyRotationEntity, KeyRotationReason, KeyRotationStep } from '@keyfleet/persistence';

/** A rotation as the admin API shows it. */
export interface KeyRotationView {
  id: string;
  oldKeyId: string;
  newKeyId: string | null;
  projectId: string;
  reason: KeyRotationReason;
  step: KeyRotationStep;
  /** When the current step may run next (end of the drain, or the next retry). */
  nextAttemptAt: string;
  failures: number;
  lastError: string | null;
  upstreamKeyId: string;
  createdAt: string;
  completedAt: string | null;
}

export function toKeyRotationView(rotation: KeyRotationEntity): KeyRotationView {
  return {
    id: rotation.id,
    oldKeyId: rotation.oldKeyId,
    newKeyId: rotation.newKeyId,
    projectId: rotation.projectId,
    reason: rotation.reason,
    step: rotation.step,
    nextAttemptAt: rotation.nextAttemptAt.toISOString(),
    failures: rotation.failures,
    lastError: rotation.lastError,
    upstreamKeyId: rotation.upstreamKeyId,
    createdAt: rotation.createdAt.toISOString(),
    completedAt: rotation.completedAt?.toISOString() ?? null,
  };
}
