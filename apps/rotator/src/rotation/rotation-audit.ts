import type { KeyRotationEntity } from '@keyfleet/persistence';
import type { AuditEntry } from '@keyfleet/registry';

/** An audit entry about a rotation: on its old key, naming the rotation, its project and why it runs. */
export function rotationAuditEntry(
  rotation: KeyRotationEntity,
  action: string,
  details: Record<string, unknown>,
): AuditEntry {
  return {
    actor: 'rotator',
    action,
    targetType: 'upstream_key',
    targetId: rotation.oldKeyId,
    details: { rotationId: rotation.id, projectId: rotation.projectId, reason: rotation.reason, ...details },
  };
}
