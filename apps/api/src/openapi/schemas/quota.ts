import { z } from 'zod';
import { modelLimits } from './registry';
import { isoTime, uuid } from './common';

const counts = z.object({ requests: z.number().int(), tokens: z.number().int() });

export const quotaRow = z
  .object({
    projectId: uuid,
    projectName: z.string(),
    model: z.string(),
    limits: modelLimits,
    window: counts.meta({ description: 'Counted in the rolling 60 s window' }),
    today: counts.meta({ description: 'Counted in the current Pacific day' }),
    remaining: z.object({
      rpm: z.number().int(),
      tpm: z.number().int(),
      rpd: z.number().int().nullable(),
      tpd: z.number().int().nullable(),
    }),
    blockedUntil: isoTime
      .nullable()
      .meta({ description: 'Until when a 429 keeps the project out for this model' }),
    spend: z
      .object({
        scope: z.string().meta({ description: '`p:<projectId>`, or `g:<billing group>` sharing one limit' }),
        windowMicros: z.number().int().meta({ description: "Spent in the scope's rolling spend window" }),
        todayMicros: z.number().int().meta({ description: 'Spent by the project in the Pacific day' }),
        remainingMicros: z.number().int().nullable(),
      })
      .meta({ description: 'Spend in micro-dollars, all models together' }),
  })
  .meta({ id: 'QuotaRow' });

export const quotaReport = z.object({ quota: z.array(quotaRow) }).meta({ id: 'Quota' });

export const quotaHistory = z
  .object({
    samples: z.array(
      z.object({
        at: isoTime,
        rows: z.array(
          z.object({
            projectId: uuid,
            model: z.string(),
            requests: z.number().int(),
            tokens: z.number().int(),
          }),
        ),
      }),
    ),
  })
  .meta({
    id: 'QuotaHistory',
    description: "The rolling window's use, sampled over the last hour, oldest first",
  });
