import { z } from 'zod';
import { USAGE_DIMENSIONS, type UsageDimension } from '@keyfleet/accounting';
import { isoTime, uuid } from './common';

/** What a client may group its own usage by: the pool's projects are the operator's business. */
export const CLIENT_USAGE_DIMENSIONS = ['model', 'day', 'lane', 'batch'] as const satisfies UsageDimension[];

const DATE = 'expected an ISO date (2026-12-01) or date-time (2026-12-01T10:00:00Z)';
const isoDateOrTime = z
  .union([z.iso.date(), z.iso.datetime({ offset: true })], { error: DATE })
  .transform((value) => new Date(value))
  .meta({ example: '2026-12-01' });

const groupBy = (dimensions: readonly UsageDimension[]) => {
  const expected = `expected a comma-separated list of ${dimensions.join(', ')}`;
  return z
    .string({ error: expected })
    .meta({ description: `One or more of ${dimensions.join(', ')}, comma-separated`, example: dimensions[0] })
    .transform((value, ctx) => {
      const parts = value.split(',').map((part) => part.trim());
      const unknown = parts.find((part) => !(dimensions as readonly string[]).includes(part));
      if (unknown === undefined) return parts as UsageDimension[];
      ctx.addIssue({ code: 'custom', message: `${expected} ("${unknown.slice(0, 40)}" is not one)` });
      return z.NEVER;
    })
    .optional();
};

const usageQueryOf = (dimensions: readonly UsageDimension[]) =>
  z
    .strictObject(
      {
        groupBy: groupBy(dimensions),
        from: isoDateOrTime
          .optional()
          .meta({ description: 'Start (UTC, rounded down to the hour); default: this month' }),
        to: isoDateOrTime
          .optional()
          .meta({ description: 'End, exclusive (rounded up to the hour); default: next month' }),
        format: z.enum(['json', 'csv'], { error: 'expected json or csv' }).optional(),
      },
      { error: 'expected a query' },
    )
    .refine((query) => !query.from || !query.to || query.from < query.to, {
      path: ['to'],
      message: 'must be after from',
    });

export const adminUsageQuery = usageQueryOf(USAGE_DIMENSIONS);
export const clientUsageQuery = usageQueryOf(CLIENT_USAGE_DIMENSIONS);
export type UsageQueryInput = z.output<typeof adminUsageQuery>;

const sums = {
  requests: z.number().int(),
  inputTokens: z.number().int().meta({ description: 'Prompt tokens, cached ones included' }),
  outputTokens: z.number().int().meta({ description: 'Answer tokens, without thinking' }),
  thinkingTokens: z.number().int(),
  cachedTokens: z.number().int().meta({ description: 'The part of the input served from a context cache' }),
  costMicroUsd: z.number().meta({ description: "Micro-dollars at each request's lane price" }),
};

export const usageRow = z
  .object({
    clientId: uuid.optional(),
    clientName: z.string().nullable().optional(),
    projectId: uuid.optional(),
    projectName: z.string().nullable().optional(),
    model: z.string().optional(),
    day: z.string().optional().meta({ description: 'YYYY-MM-DD (UTC)' }),
    lane: z.enum(['live', 'flex', 'economy']).optional(),
    batchId: uuid.nullable().optional().meta({ description: 'null: interactive calls' }),
    ...sums,
  })
  .meta({ id: 'UsageRow', description: 'One group: the dimensions asked for, and its sums' });

export const usageReport = z
  .object({
    from: isoTime,
    to: isoTime,
    groupBy: z.array(z.enum(USAGE_DIMENSIONS)),
    rows: z.array(usageRow),
    totals: z.object(sums).meta({ description: 'The sums over the range: equal to the sum of the rows' }),
  })
  .meta({ id: 'Usage' });

export const usageCsv = z
  .string()
  .meta({ description: 'The rows as CSV (a header line, then one line per row; no totals line)' });
