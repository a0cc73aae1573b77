import { z } from 'zod';
import { UPSTREAM_KEY_STATUSES } from '@keyfleet/persistence';
import { objectOf } from '../shared/input-schemas';

// Messages here must never echo the value: it is a secret.
export const upstreamSecretInput = z
  .string({ error: 'expected the API key as a string' })
  .trim()
  .min(8, { error: 'expected at least 8 characters' })
  .max(512, { error: 'expected at most 512 characters' })
  .regex(/^[\x21-\x7e]+$/, { error: 'expected printable characters without spaces' });

export const addUpstreamKeyInput = objectOf({ secret: upstreamSecretInput });
export type AddUpstreamKeyInput = z.output<typeof addUpstreamKeyInput>;

/** `secret` is the replacement key, required for projects whose issuer is `manual`. */
export const rotateUpstreamKeyInput = objectOf({ secret: upstreamSecretInput.optional() }).prefault({});
export type RotateUpstreamKeyInput = z.output<typeof rotateUpstreamKeyInput>;

/** POST /admin/v1/keys/migrate: one project, or (without `projectId`) every issuer project. */
export const migrateKeysInput = objectOf({
  projectId: z.uuid({ error: 'expected a project id' }).optional(),
}).prefault({});
export type MigrateKeysInput = z.output<typeof migrateKeysInput>;

const DAYS = 'expected a whole number of days (0 or more)';

export const listUpstreamKeysQuery = objectOf({
  projectId: z.uuid({ error: 'expected a project id' }).optional(),
  status: z
    .enum(UPSTREAM_KEY_STATUSES, { error: `expected one of ${UPSTREAM_KEY_STATUSES.join(', ')}` })
    .optional(),
  /** Keys whose rotation is due within this many days (overdue ones included). */
  due: z.coerce
    .number({ error: DAYS })
    .int({ error: DAYS })
    .min(0, { error: DAYS })
    .max(3650, { error: DAYS })
    .optional(),
});
export type ListUpstreamKeysQuery = z.output<typeof listUpstreamKeysQuery>;
