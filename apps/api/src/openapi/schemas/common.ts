import 'zod-openapi';
import { z } from 'zod';
import type { ErrorBody } from '@keyfleet/errors';

export const isoTime = z.iso.datetime({ offset: true }).meta({ example: '2026-07-01T12:00:00.000Z' });
export const uuid = z.uuid();

/** Every error keyfleet answers with: Gemini's own shape. */
export const errorBody = z
  .object({
    error: z.object({
      code: z.number().int().meta({ description: 'The HTTP status', example: 400 }),
      message: z.string().meta({ example: 'requests[3].key: must be a non-empty string' }),
      status: z.string().meta({ description: "Google's RPC status name", example: 'INVALID_ARGUMENT' }),
      details: z.array(z.unknown()).optional(),
    }),
  })
  .meta({
    id: 'Error',
    description: "Gemini's error shape, with the right HTTP status",
  }) satisfies z.ZodType<ErrorBody>;

/** Path parameter `:id` (any string: a malformed id is a 404, as an unknown one). */
export const idParam = z.object({ id: z.string().meta({ description: 'The resource id (a UUID)' }) });

/** A JSON object Google defines and keyfleet passes on as it is. */
export const googleObject = (id: string, description: string) =>
  z.object({}).catchall(z.unknown()).meta({ id, description });
