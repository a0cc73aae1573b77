import { z } from 'zod';
import { BATCH_LANES, type BatchLane } from '@keyfleet/persistence';
import { KeyfleetError } from '@keyfleet/errors';

const LANE = `must be one of ${BATCH_LANES.join(', ')}`;
const DEADLINE = 'must be an ISO 8601 time with a time zone (like 2026-12-05T18:00:00Z)';
// An ISO 8601 date-time with an offset: Date.parse alone also takes "Tuesday" and local times.
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** How the batch runs: live (default), economy (Google's Batch Mode) or auto. */
export const laneField = z
  .enum(BATCH_LANES, { error: LANE })
  .nullable()
  .optional()
  .transform((value): BatchLane => value ?? 'live')
  .meta({
    description:
      'live (default): interactive calls; economy: Google Batch Mode at half price; auto: chosen by the deadline',
  });

/** When every item should be final: a future ISO time, or absent. */
export const deadlineField = z
  .string({ error: DEADLINE })
  .nullable()
  .optional()
  .transform((value, ctx): Date | null => {
    if (value === undefined || value === null) return null;
    const problem = problemOfDeadline(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
    return new Date(value);
  })
  .meta({ description: 'ISO time by which every item should be final (economy items fall back to live)' });

export function validateLane(value: unknown): BatchLane {
  if (value === undefined || value === null || value === '') return 'live';
  if (!(BATCH_LANES as readonly unknown[]).includes(value)) throw KeyfleetError.invalid(`lane: ${LANE}`);
  return value as BatchLane;
}

export function validateDeadline(value: unknown): Date | null {
  if (value === undefined || value === null || value === '') return null;
  const problem = typeof value === 'string' ? problemOfDeadline(value) : DEADLINE;
  if (problem) throw KeyfleetError.invalid(`deadline: ${problem}`);
  return new Date(value as string);
}

function problemOfDeadline(value: string): string | null {
  if (!ISO_TIME.test(value) || Number.isNaN(Date.parse(value))) return DEADLINE;
  if (Date.parse(value) <= Date.now()) return 'must be in the future';
  return null;
}
