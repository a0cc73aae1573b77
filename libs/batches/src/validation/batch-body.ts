import { z } from 'zod';
import { KeyfleetError } from '@keyfleet/errors';
import { MODEL_NAME_PATTERN } from '@keyfleet/queue';
import { formatZodError } from '@keyfleet/registry';
import { deadlineField, laneField } from './lane-fields';
import { MAX_BATCH_PRIORITY, MAX_DISPLAY_NAME_LENGTH, MIN_BATCH_PRIORITY } from './parsed-batch';

const PRIORITY = `must be a whole number from ${MIN_BATCH_PRIORITY} to ${MAX_BATCH_PRIORITY} (higher goes first)`;

/** `models/gemini-2.5-flash` and `gemini-2.5-flash` name the same model. */
export const batchModelField = z.string({ error: 'is required' }).transform((value, ctx) => {
  const model = value.replace(/^models\//, '');
  if (value.length === 0) ctx.addIssue({ code: 'custom', message: 'is required' });
  else if (model.length > 100 || !MODEL_NAME_PATTERN.test(model))
    ctx.addIssue({
      code: 'custom',
      message: `"${model.slice(0, 100)}" is not a model name (like gemini-2.5-flash)`,
    });
  return model;
});

/**
 * The top level of a JSON batch submission: exactly these fields (an unknown one is refused and named,
 * like on the admin routes). Each entry of `requests` is checked on its own afterwards, so its errors name
 * it (`requests[16].key: …`).
 */
export const batchSubmissionBody = z.strictObject(
  {
    model: batchModelField.meta({
      description: 'The model every request goes to',
      example: 'gemini-2.5-flash',
    }),
    displayName: z
      .string({ error: 'must be a string' })
      .max(MAX_DISPLAY_NAME_LENGTH, { error: `must be at most ${MAX_DISPLAY_NAME_LENGTH} characters` })
      .nullable()
      .optional()
      .transform((value) => value ?? null),
    priority: z
      .number({ error: PRIORITY })
      .int({ error: PRIORITY })
      .min(MIN_BATCH_PRIORITY, { error: PRIORITY })
      .max(MAX_BATCH_PRIORITY, { error: PRIORITY })
      .nullable()
      .optional()
      .transform((value) => value ?? 0)
      .meta({ description: "Orders this client's own batches: higher goes first (default 0)" }),
    lane: laneField,
    deadline: deadlineField,
    requests: z.array(z.unknown(), { error: 'must be an array of {"key", "request"}' }),
  },
  { error: 'must be a JSON object {"model", "requests"} or NDJSON (application/x-ndjson)' },
);
export type BatchSubmissionBody = z.output<typeof batchSubmissionBody>;

/** Parses the top level of a JSON submission, or throws 400 naming every bad or unknown field. */
export function parseBatchSubmissionBody(body: unknown): BatchSubmissionBody {
  const parsed = batchSubmissionBody.safeParse(body);
  if (!parsed.success) throw KeyfleetError.invalid(formatZodError(parsed.error));
  return parsed.data;
}
