import { Inject, Injectable, Optional, type OnModuleDestroy } from '@nestjs/common';
import type { Cluster, Redis } from 'ioredis';
import { KEYFLEET_CONFIG, type KeyfleetConfig } from '@keyfleet/config';
import { REDIS_CLIENT, RedisChannel } from '@keyfleet/queue';

type Listener = () => void;

/**
 * Notice that the registry changed (a project, its limits, a key), so caches (the pool) drop their copy
 * at once: in this process directly, and in every other process of the deployment over Redis, so a new
 * project or key is used everywhere within moments (each cache also expires by itself within 2 s).
 */
@Injectable()
export class RegistryEvents implements OnModuleDestroy {
  private readonly listeners = new Set<Listener>();
  private readonly channel: RedisChannel | undefined;

  constructor(
    @Optional() @Inject(REDIS_CLIENT) redis?: Redis | Cluster,
    @Optional() @Inject(KEYFLEET_CONFIG) config?: KeyfleetConfig,
  ) {
    if (redis && config) {
      this.channel = new RedisChannel(redis, `${config.queuePrefix}:registry-changed`);
      this.channel.listen(() => this.notify());
      this.channel.onResume(() => this.notify()); // changes published while disconnected were missed
    }
  }

  /** Whether changes made by other processes reach this one as they happen (else only caches' expiry). */
  isLive(): boolean {
    return this.channel?.isLive() ?? false;
  }

  onChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  changed(): void {
    if (this.channel) this.channel.publish('changed');
    else this.notify();
  }

  async onModuleDestroy(): Promise<void> {
    await this.channel?.close();
  }

  private notify(): void {
    for (const listener of this.listeners) listener();
  }
}
