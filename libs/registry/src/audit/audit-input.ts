import { z } from 'zod';
import { objectOf } from '../shared/input-schemas';

export const MAX_AUDIT_PAGE = 500;

/** Query of `GET /admin/v1/audit`: newest first, `before` is the id of the last entry already seen. */
export const auditQueryInput = objectOf({
  limit: z.coerce
    .number({ error: `expected an integer from 1 to ${MAX_AUDIT_PAGE}` })
    .int({ error: `expected an integer from 1 to ${MAX_AUDIT_PAGE}` })
    .min(1, { error: `expected an integer from 1 to ${MAX_AUDIT_PAGE}` })
    .max(MAX_AUDIT_PAGE, { error: `expected an integer from 1 to ${MAX_AUDIT_PAGE}` })
    .default(50),
  before: z
    .string()
    .regex(/^\d{1,18}$/, { error: 'expected an audit entry id' })
    .optional(),
  targetType: z.string().max(50).optional(),
  targetId: z.string().max(100).optional(),
  action: z.string().max(100).optional(),
});
export type AuditQuery = z.output<typeof auditQueryInput>;
