import { Injectable } from '@nestjs/common';
import { ErrorCode, KeyfleetError } from '@keyfleet/errors';
import { ProjectsService } from '../projects/projects.service';
import type { RotateUpstreamKeyInput } from './upstream-key-input';
import { UpstreamKeysService } from './upstream-keys.service';
import type { UpstreamKeyView } from './upstream-key-view';

export interface RotationResult {
  oldKey: UpstreamKeyView;
  newKey: UpstreamKeyView;
}

/** On-demand rotation from the admin API. For now only `manual` projects: the admin brings the new key. */
@Injectable()
export class KeyRotationService {
  constructor(
    private readonly projects: ProjectsService,
    private readonly keys: UpstreamKeysService,
  ) {}

  async rotate(keyId: string, input: RotateUpstreamKeyInput, actor: string): Promise<RotationResult> {
    const oldKey = await this.keys.findEntity(keyId);
    const project = await this.projects.findEntity(oldKey.projectId);
    if (project.issuer !== 'manual') {
      throw new KeyfleetError(
        ErrorCode.FailedPrecondition,
        `issuer ${project.issuer} not yet available: add the replacement with POST /admin/v1/projects/${project.id}/keys and revoke this key`,
      );
    }
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
}
