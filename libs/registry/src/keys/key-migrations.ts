import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, type Repository } from 'typeorm';
import { KeyfleetError } from '@keyfleet/errors';
import { ProjectEntity, UpstreamKeyEntity } from '@keyfleet/persistence';
import { AuditService } from '../audit/audit.service';
import { ProjectsService } from '../projects/projects.service';
import { RotationRequests } from './rotation-requests';
import { UpstreamKeysService } from './upstream-keys.service';

export interface MigratedKey {
  keyId: string;
  projectId: string;
  lastFour: string;
  rotationId: string;
  /** The rotation's step when answered (`issuing` for a new one). */
  step: string;
}

/** What a migration call did. Standard keys are replaced through the normal rotation steps. */
export interface KeyMigrationResult {
  projectIds: string[];
  /** Standard keys whose replacement by an auth key starts now (new, or a stopped one restarted). */
  requested: MigratedKey[];
  /** Standard keys already being replaced (a rotation under way). */
  alreadyRotating: MigratedKey[];
  /** Keys in service that are auth keys already. */
  authKeys: number;
}

/**
 * Moves issuer projects from standard (`AIza…`) to auth (`AQ.…`) keys now, instead of at each key's
 * next rotation: every standard key still in service gets a rotation (reason `migration`), which the
 * rotator carries out like any other (issue and prove, drain, delete, revoke).
 */
@Injectable()
export class KeyMigrations {
  constructor(
    @InjectRepository(ProjectEntity) private readonly projectRows: Repository<ProjectEntity>,
    @InjectRepository(UpstreamKeyEntity) private readonly keyRows: Repository<UpstreamKeyEntity>,
    private readonly projects: ProjectsService,
    private readonly keys: UpstreamKeysService,
    private readonly requests: RotationRequests,
    private readonly audit: AuditService,
  ) {}

  /** One project (`projectId`), or every `google-api-keys` project. 400 if one cannot issue auth keys. */
  async migrate(projectId: string | undefined, actor: string): Promise<KeyMigrationResult> {
    const projects = projectId
      ? [await this.projects.findEntity(projectId)]
      : await this.projectRows.find({ where: { issuer: 'google-api-keys' }, order: { name: 'ASC' } });
    projects.forEach(assertCanIssueAuthKeys);
    const result: KeyMigrationResult = {
      projectIds: projects.map((p) => p.id),
      requested: [],
      alreadyRotating: [],
      authKeys: 0,
    };
    const inService = await this.keyRows.find({
      where: { projectId: In(result.projectIds), status: In(['active', 'disabled']) },
      order: { issuedAt: 'ASC' },
    });
    const types = await this.keys.typesOf(inService.map((key) => key.id));
    for (const key of inService) {
      if (types.get(key.id) === 'auth') {
        result.authKeys++;
        continue;
      }
      const asked = await this.requests.request(key.id, 'migration', actor, { restartStopped: true });
      if (!asked) continue;
      const entry = {
        keyId: key.id,
        projectId: key.projectId,
        lastFour: key.lastFour,
        rotationId: asked.rotation.id,
        step: asked.rotation.step,
      };
      (asked.created || asked.restarted ? result.requested : result.alreadyRotating).push(entry);
    }
    await this.audit.record({
      actor,
      action: 'upstream_keys.migration_requested',
      targetType: 'project',
      targetId: projectId ?? null,
      details: {
        projectIds: result.projectIds,
        requested: result.requested.map((key) => key.keyId),
        alreadyRotating: result.alreadyRotating.map((key) => key.keyId),
        authKeys: result.authKeys,
      },
    });
    return result;
  }
}

function assertCanIssueAuthKeys(project: ProjectEntity): void {
  if (project.issuer !== 'google-api-keys') {
    throw KeyfleetError.invalid(
      `projectId: project ${project.name} has issuer ${project.issuer}; register its auth keys (AQ.…) by hand`,
    );
  }
  if (!project.serviceAccountEmail) {
    throw KeyfleetError.invalid(
      `serviceAccountEmail: project ${project.name} has none; set it before migrating (auth keys are bound to it)`,
    );
  }
}
