import { z } from 'zod';
import { BATCH_STATUSES } from '@keyfleet/persistence';
import { batchView } from './batches';

/** A batch in the admin overview: the client's view, plus whose it is. */
export const adminBatchView = batchView
  .extend({ clientId: z.uuid(), clientName: z.string() })
  .meta({ id: 'AdminBatch' });

export const adminBatchList = z.object({ batches: z.array(adminBatchView) }).meta({ id: 'AdminBatchList' });

const LIMIT = 'expected an integer from 1 to 200';

export const adminBatchQuery = z.strictObject(
  {
    status: z.enum(BATCH_STATUSES, { error: `expected one of ${BATCH_STATUSES.join(', ')}` }).optional(),
    limit: z.coerce
      .number({ error: LIMIT })
      .int({ error: LIMIT })
      .min(1, { error: LIMIT })
      .max(200, { error: LIMIT })
      .default(50),
  },
  { error: 'expected a query' },
);
export type AdminBatchQuery = z.output<typeof adminBatchQuery>;
export type AdminBatchView = z.output<typeof adminBatchView>;
