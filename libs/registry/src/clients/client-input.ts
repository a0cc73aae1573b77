import { z } from 'zod';
import { cidrInput, modelName, objectOf, text, uniqueList } from '../shared/input-schemas';

export const DEFAULT_KEY_OVERLAP_SECONDS = 3600;
const MAX_OVERLAP_SECONDS = 30 * 86_400;

const allowedIps = z
  .array(cidrInput, { error: 'expected an array of CIDRs' })
  .min(1, { error: 'expected at least one CIDR (0.0.0.0/0 and ::/0 allow any address)' })
  .max(1000, { error: 'expected at most 1000 CIDRs' })
  .transform(uniqueList);

const WEIGHT = 'expected a number greater than 0 and at most 1000';
/** The client's share of the pool against other backlogged clients (default 1). */
const weight = z.number({ error: WEIGHT }).positive({ error: WEIGHT }).max(1000, { error: WEIGHT });

const USD = 'expected US dollars greater than 0 (null: no limit)';
const usdLimit = z
  .number({ error: USD })
  .positive({ error: USD })
  .max(1e9, { error: USD })
  .nullable()
  .optional();
const spendLimits = objectOf({ dailyUsd: usdLimit, monthlyUsd: usdLimit });

/** Spend limits per UTC day and month, on all the client's spend and optionally per model (null: none). */
const budget = objectOf({
  dailyUsd: usdLimit,
  monthlyUsd: usdLimit,
  models: z.record(modelName, spendLimits, { error: 'expected an object of model name → limits' }).optional(),
}).nullable();

export const createClientInput = objectOf({
  name: text(200),
  allowedIps,
  weight: weight.default(1),
  budget: budget.optional(),
});
// weight may be left out by callers in code (the admin route's schema fills in 1).
export type CreateClientInput = Omit<z.output<typeof createClientInput>, 'weight'> & { weight?: number };

export const updateClientInput = objectOf({
  name: text(200).optional(),
  allowedIps: allowedIps.optional(),
  weight: weight.optional(),
  /** Replaces the whole budget; null removes it. */
  budget: budget.optional(),
});
export type UpdateClientInput = z.output<typeof updateClientInput>;

const OVERLAP = `expected a whole number of seconds from 0 to ${MAX_OVERLAP_SECONDS}`;

/** How long the keys valid now keep working next to the new one (0: they stop at once). */
export const rotateClientKeyInput = objectOf({
  overlapSeconds: z
    .number({ error: OVERLAP })
    .int({ error: OVERLAP })
    .min(0, { error: OVERLAP })
    .max(MAX_OVERLAP_SECONDS, { error: OVERLAP })
    .default(DEFAULT_KEY_OVERLAP_SECONDS),
}).prefault({});
export type RotateClientKeyInput = z.output<typeof rotateClientKeyInput>;
