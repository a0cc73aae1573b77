import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { In, type DataSource, type EntityManager, type Repository } from 'typeorm';
import { ErrorCode, KeyfleetError } from '@keyfleet/errors';
import {
  ProjectEntity,
  ProjectModelLimitEntity,
  UpstreamKeyEntity,
  type UpstreamKeyStatus,
} from '@keyfleet/persistence';
import { AuditService } from '../audit/audit.service';
import type { ModelLimits } from '../limits/model-limits';
import { isUniqueViolation } from '../shared/db-errors';
import { isUuid } from '../shared/ids';
import { RegistryEvents } from '../shared/registry-events';
import type { CreateProjectInput, UpdateProjectInput } from './project-input';
import { emptyKeyCounts, toProjectView, type KeyCounts, type ProjectView } from './project-view';

/** Google Cloud projects, their per-model limits, and how their keys are issued. */
@Injectable()
export class ProjectsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectRepository(ProjectEntity) private readonly projects: Repository<ProjectEntity>,
    @InjectRepository(ProjectModelLimitEntity) private readonly limits: Repository<ProjectModelLimitEntity>,
    @InjectRepository(UpstreamKeyEntity) private readonly keys: Repository<UpstreamKeyEntity>,
    private readonly audit: AuditService,
    private readonly events: RegistryEvents,
  ) {}

  async create(input: CreateProjectInput, actor: string): Promise<ProjectView> {
    const issuer = input.issuer ?? 'manual';
    assertIssuerReady(issuer, input.gcpProjectId ?? null, input.serviceAccountEmail ?? null);
    const id = await this.inTransaction(async (manager) => {
      const project = await manager.getRepository(ProjectEntity).save({
        name: input.name,
        gcpProjectId: input.gcpProjectId ?? null,
        tier: input.tier ?? null,
        egressIps: input.egressIps ?? [],
        issuer,
        serviceAccountEmail: input.serviceAccountEmail ?? null,
        billingGroup: input.billingGroup ?? null,
        batchMaxJobs: input.batchMaxJobs ?? 100,
        batchEnqueuedTokens: input.batchEnqueuedTokens ?? {},
        ...spendLimitFields(input.spendLimitUsd),
      });
      const limits = Object.entries(input.limits ?? {});
      for (const [model, limit] of limits) await upsertLimit(manager, project.id, model, limit);
      await this.audit.record(
        {
          actor,
          action: 'project.created',
          targetType: 'project',
          targetId: project.id,
          details: { name: project.name, tier: project.tier, issuer, models: limits.map(([model]) => model) },
        },
        manager,
      );
      return project.id;
    }, input.name);
    return this.get(id);
  }

  async list(): Promise<ProjectView[]> {
    const projects = await this.projects.find({ order: { name: 'ASC' } });
    return this.toViews(projects);
  }

  async get(id: string): Promise<ProjectView> {
    const [view] = await this.toViews([await this.findEntity(id)]);
    return view;
  }

  /** The project row, or 404 NOT_FOUND. */
  async findEntity(id: string): Promise<ProjectEntity> {
    const project = isUuid(id) ? await this.projects.findOneBy({ id }) : null;
    if (!project) throw KeyfleetError.notFound(`project ${id} not found`);
    return project;
  }

  async update(id: string, input: UpdateProjectInput, actor: string): Promise<ProjectView> {
    const project = await this.findEntity(id);
    const { limits, spendLimitUsd, ...fields } = input;
    const changes = Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
    if (spendLimitUsd !== undefined) Object.assign(changes, spendLimitFields(spendLimitUsd));
    Object.assign(project, changes);
    assertIssuerReady(project.issuer, project.gcpProjectId, project.serviceAccountEmail);
    await this.inTransaction(async (manager) => {
      await manager.getRepository(ProjectEntity).save(project);
      for (const [model, limit] of Object.entries(limits ?? {})) {
        if (limit) await upsertLimit(manager, id, model, limit);
        else await manager.getRepository(ProjectModelLimitEntity).delete({ projectId: id, model });
      }
      await this.audit.record(
        {
          actor,
          action: 'project.updated',
          targetType: 'project',
          targetId: id,
          details: { fields: Object.keys(changes), limits: limits ?? {} },
        },
        manager,
      );
    }, project.name);
    return this.get(id);
  }

  /** Sets (or replaces) the explicit limit of one model. */
  async setLimit(id: string, model: string, limit: ModelLimits, actor: string): Promise<ProjectView> {
    await this.findEntity(id);
    await this.inTransaction(async (manager) => {
      await upsertLimit(manager, id, model, limit);
      await this.audit.record(
        {
          actor,
          action: 'project.limit_set',
          targetType: 'project',
          targetId: id,
          details: { model, ...limit },
        },
        manager,
      );
    });
    return this.get(id);
  }

  /** Drops the explicit limit of one model, so the tier preset (if any) applies again. */
  async removeLimit(id: string, model: string, actor: string): Promise<ProjectView> {
    await this.findEntity(id);
    await this.inTransaction(async (manager) => {
      const result = await manager.getRepository(ProjectModelLimitEntity).delete({ projectId: id, model });
      if (!result.affected) throw KeyfleetError.notFound(`project ${id} has no explicit limit for ${model}`);
      await this.audit.record(
        { actor, action: 'project.limit_removed', targetType: 'project', targetId: id, details: { model } },
        manager,
      );
    });
    return this.get(id);
  }

  private async inTransaction<T>(work: (manager: EntityManager) => Promise<T>, name?: string): Promise<T> {
    try {
      const result = await this.dataSource.transaction(work);
      this.events.changed();
      return result;
    } catch (error) {
      if (isUniqueViolation(error, 'UQ_projects_name')) {
        throw new KeyfleetError(ErrorCode.AlreadyExists, `a project named "${name}" already exists`);
      }
      throw error;
    }
  }

  private async toViews(projects: ProjectEntity[]): Promise<ProjectView[]> {
    if (projects.length === 0) return [];
    const ids = projects.map((project) => project.id);
    const [limits, counts] = await Promise.all([
      this.limits.find({ where: { projectId: In(ids) }, order: { model: 'ASC' } }),
      this.keyCountsOf(ids),
    ]);
    return projects.map((project) =>
      toProjectView(
        project,
        limits.filter((limit) => limit.projectId === project.id),
        counts.get(project.id) ?? emptyKeyCounts(),
      ),
    );
  }

  private async keyCountsOf(projectIds: string[]): Promise<Map<string, KeyCounts>> {
    const rows = await this.keys
      .createQueryBuilder('key')
      .select('key.projectId', 'projectId')
      .addSelect('key.status', 'status')
      .addSelect('count(*)::int', 'count')
      .where('key.projectId IN (:...projectIds)', { projectIds })
      .groupBy('key.projectId')
      .addGroupBy('key.status')
      .getRawMany<{ projectId: string; status: UpstreamKeyStatus; count: number }>();
    const counts = new Map<string, KeyCounts>();
    for (const row of rows) {
      const entry = counts.get(row.projectId) ?? emptyKeyCounts();
      entry[row.status] = row.count;
      counts.set(row.projectId, entry);
    }
    return counts;
  }
}

async function upsertLimit(
  manager: EntityManager,
  projectId: string,
  model: string,
  limit: ModelLimits,
): Promise<void> {
  const { rpm, tpm, rpd, tpd } = limit;
  await manager
    .getRepository(ProjectModelLimitEntity)
    .upsert({ projectId, model, rpm, tpm, rpd, tpd }, { conflictPaths: ['projectId', 'model'] });
}

/** "tier" (or nothing): the tier's preset; a number: that limit; null: no spend limit. */
function spendLimitFields(
  value: number | null | 'tier' | undefined,
): Pick<ProjectEntity, 'spendLimitUsd' | 'spendLimitExplicit'> {
  if (value === undefined || value === 'tier') return { spendLimitUsd: null, spendLimitExplicit: false };
  return { spendLimitUsd: value, spendLimitExplicit: true };
}

function assertIssuerReady(
  issuer: string,
  gcpProjectId: string | null,
  serviceAccountEmail: string | null,
): void {
  if (issuer !== 'google-api-keys') return;
  if (!gcpProjectId) throw KeyfleetError.invalid('gcpProjectId: required when issuer is google-api-keys');
  // The issuer makes auth keys, which Google binds to a service account (standard keys are refused).
  if (!serviceAccountEmail) {
    throw KeyfleetError.invalid(
      'serviceAccountEmail: required when issuer is google-api-keys (its keys are bound to this service account)',
    );
  }
}
