import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';
import { KEYFLEET_CONFIG, type KeyfleetConfig } from '@keyfleet/config';
import { expectedRestrictions, KeyIssuers, type KeyIssuer } from '@keyfleet/issuers';
import { KeyRotationEntity, ProjectEntity, type KeyRotationStep } from '@keyfleet/persistence';
import { AuditService, UpstreamKeysService } from '@keyfleet/registry';
import { rotationAuditEntry } from './rotation-audit';
import { KeyProof } from './key-proof';

const ACTOR = 'rotator';

/** A step that cannot go on as things stand (retried with backoff, and reported). */
export class RotationStepError extends Error {
  override readonly name = 'RotationStepError';
}

/**
 * The steps of one rotation. Each one ends in a single transaction that moves `step` on only if it
 * still holds the step it started from, so a step run twice (a crash, a second rotator) changes things once:
 * issuing (new key made and proven) → draining (new key active, old key retiring) → deleting (drain
 * over) → done (old key deleted upstream and revoked). Upstream calls come before the transaction and
 * are safe to repeat.
 */
@Injectable()
export class RotationSteps {
  constructor(
    @Inject(KEYFLEET_CONFIG) private readonly config: KeyfleetConfig,
    @InjectRepository(KeyRotationEntity) private readonly rotations: Repository<KeyRotationEntity>,
    @InjectRepository(ProjectEntity) private readonly projects: Repository<ProjectEntity>,
    private readonly keys: UpstreamKeysService,
    private readonly issuers: KeyIssuers,
    private readonly audit: AuditService,
    private readonly proof: KeyProof,
  ) {}

  /** Runs the rotation's current step; returns the rotation as it stands afterwards. */
  async run(rotation: KeyRotationEntity): Promise<KeyRotationEntity> {
    if (rotation.step === 'issuing') await this.issue(rotation);
    else if (rotation.step === 'draining') await this.endDrain(rotation);
    else if (rotation.step === 'deleting') await this.deleteOld(rotation);
    return this.rotations.findOneByOrFail({ id: rotation.id });
  }

  /**
   * Makes the replacement upstream, an auth key bound to the project's service account (or finds the
   * one an interrupted attempt made), proves it works, then swaps keys. A key that fails its proof never
   * serves: the step fails (KeyProofError) and the old key goes on serving.
   */
  private async issue(rotation: KeyRotationEntity): Promise<void> {
    const oldKey = await this.keys.findEntity(rotation.oldKeyId);
    const project = await this.projects.findOneByOrFail({ id: rotation.projectId });
    const issued = await this.issuerOf(project).issue({
      gcpProjectId: this.gcpProjectId(project),
      keyId: rotation.upstreamKeyId,
      displayName: `keyfleet ${project.name}`.slice(0, 63),
      restrictions: expectedRestrictions(project.egressIps),
      serviceAccountEmail: this.serviceAccountEmail(project),
    });
    const proven = await this.proof.prove(issued.keyString);
    // A key still serving drains for the grace period; a disabled one serves nothing and goes at once.
    const drains = oldKey.status === 'active' || oldKey.status === 'retiring';
    const drainUntil = new Date(Date.now() + (drains ? this.config.rotation.graceSeconds * 1000 : 0));
    await this.keys.transaction(async (manager) => {
      const newKey = await this.keys.insertKey(manager, project.id, issued.keyString, ACTOR, {
        upstreamName: issued.name,
        details: { rotationOf: oldKey.id, rotationId: rotation.id },
      });
      await this.keys.changeStatus(
        oldKey.id,
        {
          to: 'retiring',
          from: ['active'],
          reason: `rotated to ${newKey.id}`,
          actor: ACTOR,
          action: 'upstream_key.retiring',
        },
        manager,
      );
      await this.moveStep(manager, rotation, 'issuing', 'draining', {
        newKeyId: newKey.id,
        nextAttemptAt: drainUntil,
      });
      await this.record(manager, rotation, 'key_rotation.issued', {
        newKeyId: newKey.id,
        lastFour: newKey.lastFour,
        upstreamName: issued.name,
        serviceAccountEmail: project.serviceAccountEmail,
        proofCalls: proven.calls,
        drainUntil: drainUntil.toISOString(),
      });
    });
  }

  /** The drain is over: no request can still be using the old key. */
  private async endDrain(rotation: KeyRotationEntity): Promise<void> {
    await this.rotations.manager.transaction(async (manager) => {
      await this.moveStep(manager, rotation, 'draining', 'deleting', {});
      await this.record(manager, rotation, 'key_rotation.drained', {});
    });
  }

  /** Deletes the old key upstream (a key already gone counts), then revokes it here. */
  private async deleteOld(rotation: KeyRotationEntity): Promise<void> {
    const oldKey = await this.keys.findEntity(rotation.oldKeyId);
    const project = await this.projects.findOneByOrFail({ id: rotation.projectId });
    // A key an admin added by hand has no name upstream: only keyfleet stops using it.
    if (oldKey.upstreamName) await this.issuerOf(project).delete(oldKey.upstreamName);
    await this.keys.transaction(async (manager) => {
      await this.keys.changeStatus(
        oldKey.id,
        {
          to: 'revoked',
          from: ['active', 'retiring', 'disabled'],
          reason: `rotated to ${rotation.newKeyId ?? 'a new key'}`,
          actor: ACTOR,
          action: 'upstream_key.revoked',
        },
        manager,
      );
      await this.moveStep(manager, rotation, 'deleting', 'done', { completedAt: new Date() });
      await this.record(manager, rotation, 'key_rotation.completed', {
        newKeyId: rotation.newKeyId,
        deletedUpstream: Boolean(oldKey.upstreamName),
      });
    });
  }

  private async moveStep(
    manager: EntityManager,
    rotation: KeyRotationEntity,
    from: KeyRotationStep,
    to: KeyRotationStep,
    changes: Partial<Pick<KeyRotationEntity, 'newKeyId' | 'nextAttemptAt' | 'completedAt'>>,
  ): Promise<void> {
    const moved = await manager.update(
      KeyRotationEntity,
      { id: rotation.id, step: from },
      { step: to, failures: 0, lastError: null, ...changes },
    );
    // Someone else finished this step meanwhile: roll back ours (the new key row included).
    if (!moved.affected) throw new RotationStepError(`rotation ${rotation.id} is no longer ${from}`);
  }

  private record(
    manager: EntityManager,
    rotation: KeyRotationEntity,
    action: string,
    details: Record<string, unknown>,
  ): Promise<void> {
    return this.audit.record(rotationAuditEntry(rotation, action, details), manager);
  }

  private issuerOf(project: ProjectEntity): KeyIssuer {
    const issuer = this.issuers.of(project.issuer);
    if (!issuer) throw new RotationStepError(`project ${project.name} has issuer ${project.issuer}`);
    return issuer;
  }

  /**
   * A stopped rotation's unproven replacement, deleted upstream (best effort: it never served, and a
   * restarted rotation makes a new one).
   */
  async abandonReplacement(rotation: KeyRotationEntity): Promise<void> {
    const project = await this.projects.findOneByOrFail({ id: rotation.projectId });
    if (!project.gcpProjectId) return;
    const name = `projects/${project.gcpProjectId}/locations/global/keys/${rotation.upstreamKeyId}`;
    await this.issuerOf(project).delete(name);
  }

  private serviceAccountEmail(project: ProjectEntity): string {
    if (!project.serviceAccountEmail)
      throw new RotationStepError(
        `project ${project.name} has no serviceAccountEmail: set one (PATCH /admin/v1/projects/${project.id}) to issue auth keys`,
      );
    return project.serviceAccountEmail;
  }

  private gcpProjectId(project: ProjectEntity): string {
    if (!project.gcpProjectId)
      throw new RotationStepError(`project ${project.name} has no gcpProjectId to issue keys in`);
    return project.gcpProjectId;
  }
}
