import { z } from 'zod';
import { MODEL_NAME_PATTERN } from '../limits/model-limits';
import { normalizeCidr, normalizeIpAddress } from '../net/cidr';

const POSITIVE_INT = 'expected a positive integer';
const PG_INT_MAX = 2_147_483_647;

/** A JSON object with exactly these fields (a typo is an error, not silently ignored). */
export function objectOf<T extends z.core.$ZodLooseShape>(shape: T) {
  return z.strictObject(shape, { error: 'expected a JSON object' });
}

export const positiveInt = (max = PG_INT_MAX) =>
  z
    .number({ error: POSITIVE_INT })
    .int({ error: POSITIVE_INT })
    .positive({ error: POSITIVE_INT })
    .max(max, { error: `expected at most ${max}` });

export const modelName = z
  .string({ error: 'expected a model name' })
  .regex(MODEL_NAME_PATTERN, { error: 'expected a model name (lower case letters, digits, "." and "-")' })
  .max(100, { error: 'expected at most 100 characters' });

/** rpm and tpm are required; a missing or null rpd/tpd means "no per-day limit". */
export const modelLimitsInput = objectOf({
  rpm: positiveInt(),
  tpm: positiveInt(),
  rpd: positiveInt().nullable().default(null),
  tpd: positiveInt(Number.MAX_SAFE_INTEGER).nullable().default(null),
});
export type ModelLimitsInput = z.output<typeof modelLimitsInput>;

export const ipAddressInput = z.string({ error: 'expected an IP address' }).transform((value, ctx) => {
  const normalized = normalizeIpAddress(value);
  if (normalized) return normalized;
  ctx.addIssue({ code: 'custom', message: `invalid IP address "${value.slice(0, 60)}"` });
  return z.NEVER;
});

export const cidrInput = z.string({ error: 'expected a CIDR' }).transform((value, ctx) => {
  const normalized = normalizeCidr(value);
  if (normalized) return normalized;
  ctx.addIssue({ code: 'custom', message: `invalid CIDR "${value.slice(0, 60)}"` });
  return z.NEVER;
});

/** Trimmed, non-empty, bounded text. */
export const text = (max: number) =>
  z
    .string({ error: 'expected a string' })
    .trim()
    .min(1, { error: 'must not be empty' })
    .max(max, { error: `expected at most ${max} characters` });

export const uniqueList = (values: string[]): string[] => [...new Set(values)];
