import { Column, Entity, Index, OneToMany, PrimaryGeneratedColumn } from 'typeorm';
import { Timestamped } from './timestamps';
import type { ProjectModelLimitEntity } from './project-model-limit.entity';

export const PROJECT_TIERS = ['free', 'tier1', 'tier2', 'tier3'] as const;
export type ProjectTier = (typeof PROJECT_TIERS)[number];

export const ISSUERS = ['manual', 'google-api-keys'] as const;
export type IssuerKind = (typeof ISSUERS)[number];

/** A Google Cloud project: the unit Google's quotas are counted per. */
@Entity('projects')
@Index('UQ_projects_name', ['name'], { unique: true })
export class ProjectEntity extends Timestamped {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ name: 'gcp_project_id', type: 'varchar', length: 200, nullable: true })
  gcpProjectId!: string | null;

  @Column({ type: 'varchar', length: 16, nullable: true })
  tier!: ProjectTier | null;

  @Column({ name: 'egress_ips', type: 'text', array: true, default: () => "'{}'" })
  egressIps!: string[];

  @Column({ type: 'varchar', length: 32, default: 'manual' })
  issuer!: IssuerKind;

  @Column({ name: 'service_account_email', type: 'varchar', length: 320, nullable: true })
  serviceAccountEmail!: string | null;

  /** Projects sharing a billing account share one spend limit (the smallest set among them); null = alone. */
  @Column({ name: 'billing_group', type: 'varchar', length: 100, nullable: true })
  billingGroup!: string | null;

  /** Spend limit in US dollars per rolling 10 minutes when set explicitly (null then means none). */
  @Column({ name: 'spend_limit_usd', type: 'double precision', nullable: true })
  spendLimitUsd!: number | null;

  /** false: the tier's preset spend limit applies and spendLimitUsd is ignored. */
  @Column({ name: 'spend_limit_explicit', type: 'boolean', default: false })
  spendLimitExplicit!: boolean;

  /** Google's Batch Mode: at most this many batch jobs at once in the project (Google's default, 100). */
  @Column({ name: 'batch_max_jobs', type: 'integer', default: 100 })
  batchMaxJobs!: number;

  /** Batch Mode's cap on enqueued input tokens per model (model → tokens); a model not named has none. */
  @Column({ name: 'batch_enqueued_tokens', type: 'jsonb', default: () => "'{}'" })
  batchEnqueuedTokens!: Record<string, number>;

  @OneToMany('ProjectModelLimitEntity', (limit: ProjectModelLimitEntity) => limit.project)
  limits?: ProjectModelLimitEntity[];
}
