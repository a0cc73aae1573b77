import { Global, Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import type { KeyfleetConfig } from '@keyfleet/config';
import { logRedisErrors } from './redis-errors';

/** Injection token of the process' shared ioredis connection (quota engine, health, caches). */
export const REDIS_CLIENT = Symbol('REDIS_CLIENT');

export function createRedis(url: string): Redis {
  // BullMQ and blocking waits need maxRetriesPerRequest: null; it is harmless elsewhere.
  const redis = new Redis(url, {
    maxRetriesPerRequest: null,
    enableAutoPipelining: true,
    lazyConnect: false,
  });
  return logRedisErrors(redis, 'shared connection');
}

@Global()
@Module({})
export class RedisModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS_CLIENT) private readonly redis: Redis) {}

  static forRoot(config: KeyfleetConfig): DynamicModule {
    return {
      module: RedisModule,
      providers: [{ provide: REDIS_CLIENT, useFactory: () => createRedis(config.redisUrl) }],
      exports: [REDIS_CLIENT],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
