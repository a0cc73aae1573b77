import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { Cluster, Redis } from 'ioredis';
import { KEYFLEET_CONFIG, type KeyfleetConfig } from '@keyfleet/config';
import { REDIS_CLIENT, RedisChannel } from '@keyfleet/queue';

/**
 * "A model has new work": published when a batch is submitted or an item goes back to waiting, so that
 * the dispatchers of every worker process look at once instead of at their next idle check.
 */
@Injectable()
export class DispatchSignals implements OnModuleDestroy {
  private readonly channel: RedisChannel;

  constructor(@Inject(REDIS_CLIENT) redis: Redis | Cluster, @Inject(KEYFLEET_CONFIG) config: KeyfleetConfig) {
    this.channel = new RedisChannel(redis, `${config.queuePrefix}:dispatch-wake`);
  }

  wake(model: string): void {
    this.channel.publish(model);
  }

  onWake(listener: (model: string) => void): () => void {
    return this.channel.listen(listener);
  }

  async onModuleDestroy(): Promise<void> {
    await this.channel.close();
  }
}
