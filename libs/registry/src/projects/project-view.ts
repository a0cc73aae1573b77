import type {
  IssuerKind,
  ProjectEntity,
  ProjectModelLimitEntity,
  ProjectTier,
  UpstreamKeyStatus,
} from '@keyfleet/persistence';
import { effectiveLimits, type ModelLimits } from '../limits/model-limits';
import { effectiveSpendLimitUsd } from '../limits/model-prices';

export type KeyCounts = Record<UpstreamKeyStatus, number>;

/** A project as the admin API shows it. */
export interface ProjectView {
  id: string;
  name: string;
  gcpProjectId: string | null;
  tier: ProjectTier | null;
  issuer: IssuerKind;
  egressIps: string[];
  serviceAccountEmail: string | null;
  /** Effective limits: explicit ones, and the tier preset for every other model. */
  limits: Record<string, ModelLimits>;
  /** The models of `limits` set explicitly (the others come from the tier). */
  explicitLimitModels: string[];
  /** Spend limit in US dollars per rolling 10 minutes (explicit or the tier's); null = none. */
  spendLimitUsd: number | null;
  /** Whether spendLimitUsd was set explicitly (else it follows the tier). */
  spendLimitExplicit: boolean;
  /** Projects of one billing group share one spend limit; null = the project alone. */
  billingGroup: string | null;
  /** Google's Batch Mode: concurrent jobs allowed in the project (Google's default, 100). */
  batchMaxJobs: number;
  /** Batch Mode's cap on enqueued input tokens, per model; a model not named has none. */
  batchEnqueuedTokens: Record<string, number>;
  keyCounts: KeyCounts;
  createdAt: string;
  updatedAt: string;
}

export function emptyKeyCounts(): KeyCounts {
  return { active: 0, retiring: 0, disabled: 0, revoked: 0 };
}

export function toProjectView(
  project: ProjectEntity,
  explicit: readonly ProjectModelLimitEntity[],
  keyCounts: KeyCounts,
): ProjectView {
  return {
    id: project.id,
    name: project.name,
    gcpProjectId: project.gcpProjectId,
    tier: project.tier,
    issuer: project.issuer,
    egressIps: project.egressIps,
    serviceAccountEmail: project.serviceAccountEmail,
    limits: effectiveLimits(project, explicit),
    explicitLimitModels: explicit.map((row) => row.model).sort(),
    spendLimitUsd: effectiveSpendLimitUsd(project),
    spendLimitExplicit: project.spendLimitExplicit,
    billingGroup: project.billingGroup,
    batchMaxJobs: project.batchMaxJobs,
    batchEnqueuedTokens: project.batchEnqueuedTokens,
    keyCounts,
    createdAt: project.createdAt.toISOString(),
    updatedAt: project.updatedAt.toISOString(),
  };
}
