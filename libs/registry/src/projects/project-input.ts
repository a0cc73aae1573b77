import { z } from 'zod';
import { ISSUERS, PROJECT_TIERS } from '@keyfleet/persistence';
import {
  ipAddressInput,
  modelLimitsInput,
  modelName,
  objectOf,
  text,
  uniqueList,
} from '../shared/input-schemas';

const tier = z.enum(PROJECT_TIERS, { error: `expected one of ${PROJECT_TIERS.join(', ')}` });
const issuer = z.enum(ISSUERS, { error: `expected one of ${ISSUERS.join(', ')}` });
// Google Cloud project ids: 6–30 characters, lower case letters, digits and hyphens, starting with a letter.
const gcpProjectId = z
  .string({ error: 'expected a Google Cloud project id' })
  .regex(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/, { error: 'expected a Google Cloud project id' });
const egressIps = z
  .array(ipAddressInput, { error: 'expected an array of IP addresses' })
  .transform(uniqueList);
const serviceAccountEmail = z.email({ error: 'expected an e-mail address' }).max(320);
// Names a billing account's projects share: one spend limit covers them all.
const billingGroup = z
  .string({ error: 'expected a billing group name' })
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, { error: 'expected 1-100 letters, digits, ".", "_" or "-"' });
// US dollars per rolling 10 minutes; null = no spend limit; "tier" = the tier's preset (the default).
const spendLimitUsd = z.union([z.number().nonnegative().max(1_000_000), z.null(), z.literal('tier')], {
  error: 'expected a number of US dollars, null (none) or "tier"',
});

// Google's Batch Mode limits of the project: concurrent jobs (Google: 100) and enqueued tokens per model.
const batchMaxJobs = z
  .number({ error: 'expected a whole number of jobs from 1 to 10000' })
  .int({ error: 'expected a whole number of jobs from 1 to 10000' })
  .min(1, { error: 'expected a whole number of jobs from 1 to 10000' })
  .max(10_000, { error: 'expected a whole number of jobs from 1 to 10000' });
const batchEnqueuedTokens = z.record(
  modelName,
  z.number({ error: 'expected a whole number of tokens' }).int().positive().max(Number.MAX_SAFE_INTEGER),
  { error: 'expected an object of model → enqueued-token cap' },
);

export const createProjectInput = objectOf({
  name: text(200),
  gcpProjectId: gcpProjectId.nullable().optional(),
  tier: tier.nullable().optional(),
  limits: z.record(modelName, modelLimitsInput, { error: 'expected an object of model limits' }).optional(),
  egressIps: egressIps.optional(),
  issuer: issuer.optional(),
  serviceAccountEmail: serviceAccountEmail.nullable().optional(),
  billingGroup: billingGroup.nullable().optional(),
  spendLimitUsd: spendLimitUsd.optional(),
  batchMaxJobs: batchMaxJobs.optional(),
  batchEnqueuedTokens: batchEnqueuedTokens.optional(),
});
export type CreateProjectInput = z.output<typeof createProjectInput>;

/** Every field optional; in `limits`, a model set to null loses its explicit limit (the tier's applies). */
export const updateProjectInput = objectOf({
  name: text(200).optional(),
  gcpProjectId: gcpProjectId.nullable().optional(),
  tier: tier.nullable().optional(),
  limits: z
    .record(modelName, modelLimitsInput.nullable(), { error: 'expected an object of model limits' })
    .optional(),
  egressIps: egressIps.optional(),
  issuer: issuer.optional(),
  serviceAccountEmail: serviceAccountEmail.nullable().optional(),
  billingGroup: billingGroup.nullable().optional(),
  spendLimitUsd: spendLimitUsd.optional(),
  batchMaxJobs: batchMaxJobs.optional(),
  batchEnqueuedTokens: batchEnqueuedTokens.optional(),
});
export type UpdateProjectInput = z.output<typeof updateProjectInput>;
