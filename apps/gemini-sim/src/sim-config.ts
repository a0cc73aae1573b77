// The simulator's config: zod schemas (with defaults) for the shapes in @keyfleet/testing's sim-types.
import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import type {
  ResolvedSimConfig,
  ResolvedSimFaults,
  ResolvedSimKey,
  ResolvedSimKeyPolicy,
  ResolvedSimProject,
  SimAddKeyRequest,
  SimConfig,
  SimFaults,
  SimKeyPatch,
  SimKeyPolicy,
  SimProjectConfig,
} from '@keyfleet/testing';

/** A config or admin body that failed validation; the message names the bad field. */
export class SimConfigError extends Error {
  override readonly name = 'SimConfigError';
}

const count = z.number().int().nonnegative();
const rate = z.number().min(0).max(1);

const ipOrCidr = z
  .string()
  .refine((value) => ipaddr.isValid(value) || ipaddr.isValidCIDR(value), 'must be an IP address or CIDR');

const keyStatus = z.enum(['active', 'leaked', 'suspended', 'service_blocked']);

const modelLimits = z.strictObject({ rpm: count, tpm: count, rpd: count, tpd: count.optional() });

const keySpec = z.strictObject({
  key: z.string().min(1),
  status: keyStatus.default('active'),
  allowedIps: z.array(ipOrCidr).default([]),
});

const keyEntry = z
  .union([z.string().min(1), keySpec])
  .transform((entry): ResolvedSimKey =>
    typeof entry === 'string' ? { key: entry, status: 'active', allowedIps: [] } : entry,
  );

const project = z.strictObject({
  id: z.string().min(1),
  tier: z.enum(['free', 'paid']).default('free'),
  limits: z.record(z.string().min(1), modelLimits),
  keys: z.array(keyEntry).default([]),
  spendLimitUsd: z.number().nonnegative().optional(),
  billingAccount: z.string().min(1).optional(),
  batchLimits: z
    .strictObject({
      maxConcurrentJobs: count.optional(),
      enqueuedTokens: z.record(z.string().min(1), count).optional(),
    })
    .optional(),
});

const price = z.strictObject({ input: z.number().nonnegative(), output: z.number().nonnegative() });

const scriptedFault = z.strictObject({
  status: z.union([z.literal(400), z.literal(403), z.literal(429), z.literal(500), z.literal(503)]),
  count: z.number().int().positive(),
  projectId: z.string().optional(),
  model: z.string().optional(),
  body: z.record(z.string(), z.unknown()).optional(),
  quotaId: z.string().optional(),
  retryDelay: z
    .string()
    .regex(/^\d+(\.\d+)?s$/, 'must be a protobuf duration like "26.5s"')
    .optional(),
  reason: z.string().optional(),
  message: z.string().optional(),
  helpOnly: z.boolean().optional(),
});

const batchFault = z.strictObject({
  outcome: z.enum(['expire', 'fail', 'failRequests']),
  count: z.number().int().positive(),
  projectId: z.string().optional(),
  model: z.string().optional(),
  failEvery: z.number().int().positive().optional(),
});

const faults = z.strictObject({
  errorRate: rate.default(0),
  errorStatus: z.union([z.literal(429), z.literal(500), z.literal(503)]).default(503),
  dropRate: rate.default(0),
  slowRate: rate.default(0),
  slowMs: count.default(5000),
  script: z.array(scriptedFault).default([]),
  flexShedRate: rate.default(0),
  flexShedCount: count.default(0),
  batchScript: z.array(batchFault).default([]),
});

// Google's Batch Mode limits; the time scale defaults to about a second so a spawned simulator finishes jobs.
const batchMode = z.strictObject({
  pendingMs: count.default(200),
  turnaroundMs: count.default(1000),
  expireAfterMs: count.default(172_800_000),
  maxConcurrentJobs: count.default(100),
  enqueuedTokens: z.record(z.string().min(1), count).default({}),
  defaultEnqueuedTokens: count.default(3_000_000),
  maxInlineBytes: count.default(20 * 1024 * 1024),
  maxFileBytes: count.default(2 * 1024 * 1024 * 1024),
});

const keyPolicyFields = {
  standardKeys: z.enum(['accepted', 'restricted-only', 'refused']),
  standardKeyRefusal: z.enum(['unauthenticated', 'api-key-invalid']),
  keyPropagationMs: count,
};
// Google's state since September 2026: standard keys refused, new keys working at once.
const keyPolicy = z.strictObject({
  standardKeys: keyPolicyFields.standardKeys.default('refused'),
  standardKeyRefusal: keyPolicyFields.standardKeyRefusal.default('unauthenticated'),
  keyPropagationMs: keyPolicyFields.keyPropagationMs.default(0),
});
const keyPolicyPatch = z.strictObject({
  standardKeys: keyPolicyFields.standardKeys.optional(),
  standardKeyRefusal: keyPolicyFields.standardKeyRefusal.optional(),
  keyPropagationMs: keyPolicyFields.keyPropagationMs.optional(),
});

const latency = z
  .strictObject({ min: count, max: count })
  .refine((value) => value.min <= value.max, { message: 'min must not exceed max', path: ['max'] });

const config = z
  .strictObject({
    windowMode: z.enum(['rolling', 'clock']).default('rolling'),
    latencyMs: latency.default({ min: 0, max: 0 }),
    projects: z.array(project),
    faults: faults.default(() => faults.parse({})),
    keyPolicy: keyPolicy.default(() => keyPolicy.parse({})),
    spendWindowMs: z.number().int().positive().default(600_000),
    prices: z.record(z.string().min(1), price).default({}),
    batchMode: batchMode.default(() => batchMode.parse({})),
  })
  .superRefine((value, ctx) => {
    const projectIds = new Set<string>();
    const keys = new Set<string>();
    value.projects.forEach((p, index) => {
      if (projectIds.has(p.id))
        ctx.addIssue({ code: 'custom', path: ['projects', index, 'id'], message: 'duplicate project id' });
      projectIds.add(p.id);
      p.keys.forEach((k, keyIndex) => {
        if (keys.has(k.key))
          ctx.addIssue({
            code: 'custom',
            path: ['projects', index, 'keys', keyIndex],
            message: 'duplicate key',
          });
        keys.add(k.key);
      });
    });
  });

const addKey = keySpec.extend({ projectId: z.string().min(1) });
const keyPatch = z.strictObject({
  status: keyStatus.optional(),
  allowedIps: z.array(ipOrCidr).nullable().optional(),
});

// Compile-time check that the schemas accept the canonical input types and yield the resolved ones.
const typedConfig: z.ZodType<ResolvedSimConfig, SimConfig> = config;
const typedProject: z.ZodType<ResolvedSimProject, SimProjectConfig> = project;
const typedFaults: z.ZodType<ResolvedSimFaults, SimFaults> = faults;
const typedAddKey: z.ZodType<SimAddKeyRequest & ResolvedSimKey, SimAddKeyRequest> = addKey;
const typedKeyPatch: z.ZodType<SimKeyPatch, SimKeyPatch> = keyPatch;
const typedKeyPolicyPatch: z.ZodType<SimKeyPolicy, SimKeyPolicy> = keyPolicyPatch;
const typedKeyPolicy: z.ZodType<ResolvedSimKeyPolicy, SimKeyPolicy> = keyPolicy;

function parseWith<T>(schema: z.ZodType<T>, input: unknown, what: string): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)';
  throw new SimConfigError(`Invalid ${what}: ${field}: ${issue.message}`);
}

export const parseSimConfig = (input: unknown): ResolvedSimConfig => parseWith(typedConfig, input, 'config');
export const parseSimProject = (input: unknown): ResolvedSimProject =>
  parseWith(typedProject, input, 'project');
export const parseSimFaults = (input: unknown): ResolvedSimFaults => parseWith(typedFaults, input, 'faults');
export const parseAddKey = (input: unknown): SimAddKeyRequest & ResolvedSimKey =>
  parseWith(typedAddKey, input, 'key');
export const parseKeyPatch = (input: unknown): SimKeyPatch => parseWith(typedKeyPatch, input, 'key patch');
/** PUT /sim/key-policy: the given fields over the current policy. */
export const mergeKeyPolicy = (current: ResolvedSimKeyPolicy, input: unknown): ResolvedSimKeyPolicy =>
  parseWith(
    typedKeyPolicy,
    { ...current, ...parseWith(typedKeyPolicyPatch, input, 'key policy') },
    'key policy',
  );
