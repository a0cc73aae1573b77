import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { KEYFLEET_CONFIG, type KeyfleetConfig } from '@keyfleet/config';
import { bullOptions, REDIS_CLIENT } from '@keyfleet/queue';

// SCAN page size: a few calls however many quota keys share the prefix.
const SCAN_COUNT = 1000;

/**
 * Every BullMQ queue of this deployment (`KF_QUEUE_PREFIX`), found in Redis as it appears rather than
 * from a fixed list: each BullMQ queue keeps a `<prefix>:<name>:meta` hash. Read-only Queue handles,
 * one per name, closed with the module.
 */
@Injectable()
export class QueueDiscovery implements OnModuleDestroy {
  private readonly logger = new Logger(QueueDiscovery.name);
  private readonly queues = new Map<string, Queue>();

  constructor(
    @Inject(KEYFLEET_CONFIG) private readonly config: KeyfleetConfig,
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
  ) {}

  /** The queues that exist now, sorted by name. */
  async discover(): Promise<Queue[]> {
    for (const name of await this.queueNames()) if (!this.queues.has(name)) this.open(name);
    return [...this.queues.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  async onModuleDestroy(): Promise<void> {
    const closing = [...this.queues.values()].map((queue) => queue.close().catch(() => undefined));
    this.queues.clear();
    await Promise.all(closing);
  }

  private async queueNames(): Promise<string[]> {
    const prefix = `${this.config.queuePrefix}:`;
    const names = new Set<string>();
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${prefix}*:meta`, 'COUNT', SCAN_COUNT);
      for (const key of keys) {
        const name = key.slice(prefix.length, -':meta'.length);
        if (name && !name.includes(':')) names.add(name);
      }
      cursor = next;
    } while (cursor !== '0');
    return [...names];
  }

  private open(name: string): void {
    const { connection, prefix } = bullOptions(this.config);
    const queue = new Queue(name, { connection, prefix });
    queue.on('error', (error) => this.logger.warn(`queue ${name}: ${error.message}`));
    this.queues.set(name, queue);
  }
}
