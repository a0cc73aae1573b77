import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Redis } from 'ioredis';
import type { DataSource, EntityManager } from 'typeorm';
import { KEYFLEET_CONFIG, type KeyfleetConfig } from '@keyfleet/config';
import {
  KeyRotationEntity,
  ProjectEntity,
  UpstreamKeyEntity,
  type KeyRotationReason,
} from '@keyfleet/persistence';
import { REDIS_CLIENT } from '@keyfleet/queue';
import { AuditService } from '../audit/audit.service';
import { toKeyRotationView, type KeyRotationView } from './key-rotation-view';

/** Redis channel the rotator listens on, to start a requested rotation at once rather than at its next sweep. */
export function rotationChannel(queuePrefix: string): string {
  return `${queuePrefix}:rotation-requested`;
}

/**
 * Records that a key must be replaced through its project's issuer (a `key_rotations` row, at most one
 * per key) and nudges the rotator. Only `google-api-keys` projects have an issuer that can do it.
 */
@Injectable()
export class RotationRequests {
  private readonly logger = new Logger(RotationRequests.name);

  constructor(
    @Inject(KEYFLEET_CONFIG) private readonly config: KeyfleetConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    @Optional() @Inject(REDIS_CLIENT) private readonly redis?: Redis,
  ) {}

  /**
   * The key's rotation, created if needed (`created` says whether this call made it); null when its
   * project's issuer is `manual`. Idempotent: racing callers (two rotators, a worker and a sweep) share one.
   */
  async request(
    keyId: string,
    reason: KeyRotationReason,
    actor: string,
    options: { restartStopped?: boolean } = {},
  ): Promise<{ rotation: KeyRotationView; created: boolean; restarted?: boolean } | null> {
    const result = await this.dataSource.transaction(async (manager) => {
      const found = await this.requestIn(manager, keyId, reason, actor);
      if (found && !found.created && found.rotation.step === 'stopped' && options.restartStopped) {
        return {
          rotation: await this.restart(manager, found.rotation, reason, actor),
          created: false,
          restarted: true,
        };
      }
      return found;
    });
    if (!result) return null;
    if (result.created || 'restarted' in result) this.nudge();
    return { ...result, rotation: toKeyRotationView(result.rotation) };
  }

  /**
   * Starts a stopped rotation over (an admin asked again): a fresh upstream key id, so the unproven key
   * of the stopped attempt is never adopted, and no failures.
   */
  private async restart(
    manager: EntityManager,
    rotation: KeyRotationEntity,
    reason: KeyRotationReason,
    actor: string,
  ): Promise<KeyRotationEntity> {
    const rotations = manager.getRepository(KeyRotationEntity);
    await rotations.update(
      { id: rotation.id, step: 'stopped' },
      {
        step: 'issuing',
        reason,
        failures: 0,
        lastError: null,
        nextAttemptAt: new Date(),
        upstreamKeyId: upstreamKeyIdFor(rotation.oldKeyId),
      },
    );
    await this.audit.record(
      {
        actor,
        action: 'key_rotation.restarted',
        targetType: 'upstream_key',
        targetId: rotation.oldKeyId,
        details: {
          rotationId: rotation.id,
          projectId: rotation.projectId,
          reason,
          lastError: rotation.lastError,
        },
      },
      manager,
    );
    return rotations.findOneByOrFail({ id: rotation.id });
  }

  async find(keyId: string): Promise<KeyRotationView | null> {
    const rotation = await this.dataSource.getRepository(KeyRotationEntity).findOneBy({ oldKeyId: keyId });
    return rotation && toKeyRotationView(rotation);
  }

  /** Tells running rotators to look now; losing the message only delays the work to the next sweep. */
  nudge(): void {
    this.redis?.publish(rotationChannel(this.config.queuePrefix), '1').catch((error: Error) => {
      this.logger.warn(`could not notify the rotator: ${error.message}`);
    });
  }

  private async requestIn(
    manager: EntityManager,
    keyId: string,
    reason: KeyRotationReason,
    actor: string,
  ): Promise<{ rotation: KeyRotationEntity; created: boolean } | null> {
    const key = await manager.getRepository(UpstreamKeyEntity).findOneBy({ id: keyId });
    if (!key) return null;
    const project = await manager.getRepository(ProjectEntity).findOneBy({ id: key.projectId });
    if (project?.issuer !== 'google-api-keys') return null;
    const rotations = manager.getRepository(KeyRotationEntity);
    const inserted = await rotations
      .createQueryBuilder()
      .insert()
      .values({
        oldKeyId: keyId,
        projectId: key.projectId,
        reason,
        step: 'issuing',
        // The replacement's id upstream, fixed now: a create retried after a crash finds this key.
        upstreamKeyId: upstreamKeyIdFor(key.id),
      })
      .orIgnore()
      .returning('id')
      .execute();
    const created = (inserted.raw as unknown[]).length > 0;
    const rotation = await rotations.findOneByOrFail({ oldKeyId: keyId });
    if (created) {
      await this.audit.record(
        {
          actor,
          action: 'key_rotation.requested',
          targetType: 'upstream_key',
          targetId: keyId,
          details: { rotationId: rotation.id, projectId: key.projectId, reason, lastFour: key.lastFour },
        },
        manager,
      );
    }
    return { rotation, created };
  }
}

/** A replacement's key id at the API Keys API (a letter first, ≤ 63 characters). */
function upstreamKeyIdFor(oldKeyId: string): string {
  return `kf-${oldKeyId.slice(0, 8)}-${Date.now().toString(36)}`;
}
