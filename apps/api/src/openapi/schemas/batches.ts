import { z } from 'zod';
import { BATCH_LANES, BATCH_STATUSES } from '@keyfleet/persistence';
import { batchSubmissionBody, MAX_KEY_LENGTH, type BatchPage, type BatchView } from '@keyfleet/batches';
import { googleObject, isoTime, uuid } from './common';

export const generateContentRequest = googleObject(
  'GenerateContentRequest',
  "Gemini's GenerateContentRequest (`contents` required), sent upstream as it is",
);
export const generateContentResponse = googleObject(
  'GenerateContentResponse',
  "Gemini's answer, as Google sent it",
);

const batchEntry = z
  .object({
    key: z
      .string()
      .min(1)
      .max(MAX_KEY_LENGTH)
      .meta({ description: 'Unique within the batch; names the result line' }),
    request: generateContentRequest,
  })
  .meta({ id: 'BatchEntry' });

/** The JSON submission as documented: the validated top level, with the entries' shape spelled out. */
export const batchSubmission = batchSubmissionBody
  .extend({ requests: z.array(batchEntry).min(1) })
  .meta({ id: 'BatchSubmission' });

/** The NDJSON submission: one entry a line, the rest in the query. */
export const ndjsonSubmissionQuery = z.object({
  model: z.string().optional().meta({ description: 'Required for an NDJSON upload' }),
  displayName: z.string().optional(),
  priority: z
    .string()
    .regex(/^-?\d+$/)
    .optional()
    .meta({ description: 'A whole number from -100 to 100' }),
  lane: z.enum(BATCH_LANES).optional().meta({ description: 'live (default), economy or auto' }),
  deadline: isoTime.optional().meta({ description: 'When every item should be final' }),
});

export const submissionHeaders = z.object({
  'idempotency-key': z
    .string()
    .max(200)
    .optional()
    .meta({ description: 'A retried submission with the same key returns the first batch' }),
});

const counts = z.object({
  total: z.number().int(),
  pending: z.number().int(),
  running: z.number().int(),
  succeeded: z.number().int(),
  failed: z.number().int(),
  cancelled: z.number().int(),
});

export const batchView = z
  .object({
    id: uuid,
    model: z.string(),
    displayName: z.string().nullable(),
    priority: z.number().int(),
    lane: z.enum(BATCH_LANES),
    laneChosen: z.enum(['live', 'economy']).meta({ description: "The lane it runs in (auto's choice)" }),
    laneReason: z.string().nullable().meta({ description: 'Why auto chose so; null for an explicit lane' }),
    estimatedSavingUsd: z
      .number()
      .nullable()
      .meta({ description: 'What economy saves against live, estimated at submission (USD)' }),
    deadline: isoTime.nullable(),
    status: z.enum(BATCH_STATUSES),
    counts,
    createdAt: isoTime,
    startedAt: isoTime.nullable(),
    completedAt: isoTime.nullable(),
    etaSeconds: z
      .number()
      .nullable()
      .meta({ description: 'Seconds until every item is final; null while unknown' }),
  })
  .meta({ id: 'Batch' }) satisfies z.ZodType<BatchView>;

export const batchPage = z
  .object({ batches: z.array(batchView), nextPageToken: z.string().nullable() })
  .meta({ id: 'BatchPage' }) satisfies z.ZodType<BatchPage>;

export const batchListQuery = z.object({
  pageSize: z.string().regex(/^\d+$/).optional().meta({ description: '1 to 200 (default 50)' }),
  pageToken: z.string().optional().meta({ description: 'The `nextPageToken` of the page before' }),
});

/** One line of the results: Google's Batch Mode shape. */
export const resultLine = z
  .union([
    z.object({ key: z.string(), response: generateContentResponse }),
    z.object({
      key: z.string(),
      error: z.object({ code: z.number().int(), message: z.string(), status: z.string() }),
    }),
  ])
  .meta({ id: 'BatchResultLine', description: 'One NDJSON line per finished item, in submission order' });
