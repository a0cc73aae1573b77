import { z } from 'zod';
import {
  ISSUERS,
  KEY_ROTATION_REASONS,
  KEY_ROTATION_STEPS,
  PROJECT_TIERS,
  UPSTREAM_KEY_STATUSES,
} from '@keyfleet/persistence';
import type {
  AuditPage,
  ClientView,
  IssuedClientKey,
  KeyMigrationResult,
  KeyRotationView,
  ModelLimits,
  ProjectView,
  RotatedClientKey,
  RotationResult,
  UpstreamKeyView,
} from '@keyfleet/registry';
import { isoTime, uuid } from './common';

// Response shapes of the admin API. `satisfies` ties each to the TypeScript view it documents: a field
// added to a view without its schema here fails the typecheck.

export const modelLimits = z
  .object({
    rpm: z.number().int().meta({ description: 'Requests per minute' }),
    tpm: z.number().int().meta({ description: 'Input tokens per minute' }),
    rpd: z.number().int().nullable().meta({ description: 'Requests per Pacific day (null: none)' }),
    tpd: z.number().int().nullable().meta({ description: 'Input tokens per Pacific day (null: none)' }),
  })
  .meta({ id: 'ModelLimits' }) satisfies z.ZodType<ModelLimits>;

const keyCounts = z.object(
  Object.fromEntries(UPSTREAM_KEY_STATUSES.map((s) => [s, z.number().int()])) as Record<
    (typeof UPSTREAM_KEY_STATUSES)[number],
    z.ZodNumber
  >,
);

export const projectView = z
  .object({
    id: uuid,
    name: z.string(),
    gcpProjectId: z.string().nullable(),
    tier: z.enum(PROJECT_TIERS).nullable(),
    issuer: z.enum(ISSUERS),
    egressIps: z.array(z.string()),
    serviceAccountEmail: z.string().nullable(),
    limits: z
      .record(z.string(), modelLimits)
      .meta({ description: 'Effective limits per model (explicit, then the tier preset)' }),
    explicitLimitModels: z.array(z.string()),
    spendLimitUsd: z.number().nullable().meta({
      description: 'US dollars per rolling 10 minutes (explicit, else the tier preset); null = none',
    }),
    spendLimitExplicit: z.boolean(),
    billingGroup: z
      .string()
      .nullable()
      .meta({ description: 'Projects of one billing group share one spend limit' }),
    batchMaxJobs: z
      .number()
      .int()
      .meta({ description: "Google Batch Mode: concurrent jobs in the project (Google's default, 100)" }),
    batchEnqueuedTokens: z
      .record(z.string(), z.number().int())
      .meta({ description: 'Batch Mode enqueued-token cap per model; a model not named has none' }),
    keyCounts,
    createdAt: isoTime,
    updatedAt: isoTime,
  })
  .meta({ id: 'Project' }) satisfies z.ZodType<ProjectView>;

export const projectList = z.object({ projects: z.array(projectView) }).meta({ id: 'ProjectList' });

export const upstreamKeyView = z
  .object({
    id: uuid,
    projectId: uuid,
    type: z.enum(['standard', 'auth']).meta({
      description:
        '`auth` (`AQ.…`, bound to a service account) or `standard` (`AIza…`, refused by Gemini since 2026)',
    }),
    status: z.enum(UPSTREAM_KEY_STATUSES),
    statusReason: z.string().nullable(),
    statusChangedAt: isoTime.nullable(),
    fingerprint: z.string().meta({ description: "First 16 hex characters of the secret's sha256" }),
    lastFour: z.string(),
    issuedAt: isoTime,
    rotationDueAt: isoTime,
    overdue: z.boolean().meta({ description: 'An active key past its rotation due date' }),
    upstreamName: z.string().nullable(),
    createdAt: isoTime,
  })
  .meta({
    id: 'UpstreamKey',
    description: 'An upstream key; never its secret',
  }) satisfies z.ZodType<UpstreamKeyView>;

export const upstreamKeyList = z.object({ keys: z.array(upstreamKeyView) }).meta({ id: 'UpstreamKeyList' });

export const keyRotationView = z
  .object({
    id: uuid,
    oldKeyId: uuid,
    newKeyId: uuid.nullable(),
    projectId: uuid,
    reason: z.enum(KEY_ROTATION_REASONS),
    step: z.enum(KEY_ROTATION_STEPS),
    nextAttemptAt: isoTime,
    failures: z.number().int(),
    lastError: z.string().nullable(),
    upstreamKeyId: z.string(),
    createdAt: isoTime,
    completedAt: isoTime.nullable(),
  })
  .meta({ id: 'KeyRotation' }) satisfies z.ZodType<KeyRotationView>;

/** POST /projects/:id/keys: the key, with a warning when it is a standard key. */
export const addedUpstreamKey = upstreamKeyView
  .extend({
    warning: z
      .string()
      .optional()
      .meta({ description: 'Set for a standard (`AIza…`) key: Gemini refuses those since 2026' }),
  })
  .meta({ id: 'AddedUpstreamKey' });

const migratedKey = z.object({
  keyId: uuid,
  projectId: uuid,
  lastFour: z.string(),
  rotationId: uuid,
  step: z.string(),
});

export const keyMigrationResult = z
  .object({
    projectIds: z.array(uuid),
    requested: z
      .array(migratedKey)
      .meta({ description: 'Standard keys whose replacement by an auth key starts now' }),
    alreadyRotating: z.array(migratedKey).meta({ description: 'Standard keys already being replaced' }),
    authKeys: z.number().int().meta({ description: 'Keys in service that are auth keys already' }),
  })
  .meta({ id: 'KeyMigrationResult' }) satisfies z.ZodType<KeyMigrationResult>;

export const rotationResult = z
  .object({
    oldKey: upstreamKeyView,
    newKey: upstreamKeyView.nullable(),
    rotation: keyRotationView.optional(),
  })
  .meta({ id: 'RotationResult' }) satisfies z.ZodType<RotationResult>;

const spendLimitsUsd = z.object({
  dailyUsd: z.number().nullable().optional(),
  monthlyUsd: z.number().nullable().optional(),
});
const clientBudget = spendLimitsUsd.extend({ models: z.record(z.string(), spendLimitsUsd).optional() }).meta({
  id: 'ClientBudget',
  description: 'Spend limits per UTC day and UTC month in US dollars, overall and per model',
});

export const clientView = z
  .object({
    id: uuid,
    name: z.string(),
    allowedIps: z.array(z.string()),
    weight: z.number(),
    budget: clientBudget.nullable(),
    keys: z.array(
      z.object({ id: uuid, lastFour: z.string(), createdAt: isoTime, expiresAt: isoTime.nullable() }),
    ),
    createdAt: isoTime,
    updatedAt: isoTime,
    deletedAt: isoTime.nullable(),
  })
  .meta({
    id: 'Client',
    description: 'A client; never its keys, only their last four',
  }) satisfies z.ZodType<ClientView>;

export const clientList = z.object({ clients: z.array(clientView) }).meta({ id: 'ClientList' });

export const issuedClientKey = z
  .object({
    client: clientView,
    key: z.string().meta({ description: 'The `kf_…` key: shown this once only' }),
  })
  .meta({ id: 'IssuedClientKey' }) satisfies z.ZodType<IssuedClientKey>;

export const rotatedClientKey = z
  .object({ client: clientView, key: z.string(), previousKeysExpireAt: isoTime })
  .meta({ id: 'RotatedClientKey' }) satisfies z.ZodType<RotatedClientKey>;

export const auditPage = z
  .object({
    entries: z.array(
      z.object({
        id: z.string(),
        at: isoTime,
        actor: z.string(),
        action: z.string().meta({ example: 'upstream_key.disabled' }),
        targetType: z.string(),
        targetId: z.string().nullable(),
        details: z.record(z.string(), z.unknown()),
      }),
    ),
    nextBefore: z.string().nullable().meta({ description: 'Pass as `before` for the next (older) page' }),
  })
  .meta({ id: 'AuditPage' }) satisfies z.ZodType<AuditPage>;

export const modelPriceView = z
  .object({
    model: z.string(),
    input: z.number().meta({ description: 'US dollars per million input tokens' }),
    output: z.number().meta({ description: 'US dollars per million output tokens (thinking included)' }),
    source: z.enum(['shipped', 'admin']),
  })
  .meta({ id: 'ModelPrice' });

export const modelPriceList = z.object({ prices: z.array(modelPriceView) }).meta({ id: 'ModelPriceList' });
