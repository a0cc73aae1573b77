import type { Provider } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { KEYFLEET_CONFIG, type KeyfleetConfig } from '@keyfleet/config';
import { REDIS_CLIENT } from '@keyfleet/queue';
import { QuotaEngine } from './quota-engine';

/** One QuotaEngine per process over the shared Redis; the prefix makes every process of a deployment agree. */
export const quotaEngineProvider: Provider = {
  provide: QuotaEngine,
  inject: [REDIS_CLIENT, KEYFLEET_CONFIG],
  useFactory: (redis: Redis, config: KeyfleetConfig) =>
    new QuotaEngine(redis, {
      prefix: config.queuePrefix,
      headroomMs: config.quota.headroomMs,
      spendWindowMs: config.quota.spendWindowMs,
    }),
};
