import { Injectable } from '@nestjs/common';
import { ErrorCode, KeyfleetError } from '@keyfleet/errors';
import { ProjectsService } from '../projects/projects.service';
import type { KeyRotationView } from './key-rotation-view';
import { RotationRequests } from './rotation-requests';
import type { RotateUpstreamKeyInput } from './upstream-key-input';
import { UpstreamKeysService } from './upstream-keys.service';
import type { UpstreamKeyView } from './upstream-key-view';

export interface RotationResult {
  oldKey: UpstreamKeyView;
  /** The replacement; null while an issuer rotation is still making it (see `rotation`). */
  newKey: UpstreamKeyView | null;
  /** For issuer projects: the rotation the rotator carries out (issue → drain → delete → revoke). */
  rotation?: KeyRotationView;
}

/**
 * On-demand rotation from the admin API. `manual` projects: the admin brings the new key, which
 * replaces the old one at once. `google-api-keys` projects: the rotator is asked to rotate it now.
 */
@Injectable()
export class KeyRotationService {
  constructor(
    private readonly projects: ProjectsService,
    private readonly keys: UpstreamKeysService,
    private readonly requests: RotationRequests,
  ) {}

  async rotate(keyId: string, input: RotateUpstreamKeyInput, actor: string): Promise<RotationResult> {
    const oldKey = await this.keys.findEntity(keyId);
    const project = await this.projects.findEntity(oldKey.projectId);
    if (project.issuer !== 'manual') return this.rotateThroughIssuer(keyId, input, actor);
    if (!input.secret)
      throw KeyfleetError.invalid('secret: required (the replacement key of a manual-issuer project)');
    if (oldKey.status === 'revoked' || oldKey.status === 'retiring') {
      throw new KeyfleetError(
        ErrorCode.FailedPrecondition,
        `upstream key ${keyId} is ${oldKey.status}: nothing to rotate`,
      );
    }
    const secret = input.secret;
    // Step 1: the new key serves and the old one stops taking new requests (one transaction).
    const newKey = await this.keys.transaction(async (manager) => {
      const inserted = await this.keys.insertKey(manager, project.id, secret, actor, {
        details: { rotationOf: keyId },
      });
      await this.keys.changeStatus(
        keyId,
        {
          to: 'retiring',
          from: ['active', 'disabled'],
          reason: `rotated to ${inserted.id}`,
          actor,
          action: 'upstream_key.retiring',
        },
        manager,
      );
      return inserted;
    });
    // Step 2: a manual key cannot be deleted upstream by us; revoking it here ends its use in keyfleet.
    await this.keys.changeStatus(keyId, {
      to: 'revoked',
      from: ['retiring'],
      reason: `rotated to ${newKey.id}`,
      actor,
      action: 'upstream_key.revoked',
    });
    return { oldKey: await this.keys.get(keyId), newKey: await this.keys.get(newKey.id) };
  }

  private async rotateThroughIssuer(
    keyId: string,
    input: RotateUpstreamKeyInput,
    actor: string,
  ): Promise<RotationResult> {
    if (input.secret) {
      throw KeyfleetError.invalid("secret: not accepted, this project's issuer makes the replacement");
    }
    const existing = await this.requests.find(keyId);
    const oldKey = await this.keys.findEntity(keyId);
    if (!existing && (oldKey.status === 'revoked' || oldKey.status === 'retiring')) {
      throw new KeyfleetError(
        ErrorCode.FailedPrecondition,
        `upstream key ${keyId} is ${oldKey.status}: nothing to rotate`,
      );
    }
    // A stopped rotation (its new key kept failing its proof) starts over when an admin asks again.
    const rotation =
      existing && existing.step !== 'stopped'
        ? existing
        : (await this.requests.request(keyId, 'admin', actor, { restartStopped: true }))?.rotation;
    if (!rotation) throw new KeyfleetError(ErrorCode.Internal, `no rotation could be started for ${keyId}`);
    return {
      oldKey: await this.keys.get(keyId),
      newKey: rotation.newKeyId ? await this.keys.get(rotation.newKeyId) : null,
      rotation,
    };
  }
}
