import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { Redis, type Cluster } from 'ioredis';

type Listener = (message: string) => void;

/**
 * One Redis pub/sub channel between the processes of a deployment: a message published here reaches
 * every listener, in this process at once and in the others through Redis. Best effort across processes:
 * a lost message only delays what it announces until the listener's own periodic check. The subscriber
 * connection is opened on first listen.
 */
export class RedisChannel {
  private readonly logger = new Logger(RedisChannel.name);
  private readonly origin = randomUUID();
  private readonly listeners = new Set<Listener>();
  private readonly resumeListeners = new Set<() => void>();
  private subscriber: Redis | Cluster | undefined;
  private live = false;

  constructor(
    private readonly redis: Redis | Cluster,
    readonly name: string,
  ) {}

  publish(message: string): void {
    this.deliver(message);
    this.redis.publish(this.name, `${this.origin}|${message}`).catch((error: Error) => {
      this.logger.warn(`publishing on ${this.name} failed: ${error.message}`);
    });
  }

  /**
   * Whether messages from other processes arrive now (subscribed and connected). While not, listeners
   * must not rely on being told; after a gap, `onResume` listeners are called (messages may be lost).
   */
  isLive(): boolean {
    return this.live;
  }

  onResume(listener: () => void): () => void {
    this.resumeListeners.add(listener);
    return () => this.resumeListeners.delete(listener);
  }

  listen(listener: Listener): () => void {
    this.listeners.add(listener);
    this.subscribe();
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    this.live = false;
    this.listeners.clear();
    this.resumeListeners.clear();
    await subscriber?.quit().catch(() => subscriber.disconnect());
  }

  private deliver(message: string): void {
    for (const listener of this.listeners) listener(message);
  }

  private subscribe(): void {
    if (this.subscriber) return;
    // We subscribe again ourselves on every (re)connection: ioredis' own resubscription leaves its
    // promise unhandled, and a connection that drops again at that moment would crash the process.
    const subscriber =
      this.redis instanceof Redis
        ? this.redis.duplicate({ autoResubscribe: false })
        : this.redis.duplicate(undefined, { redisOptions: { autoResubscribe: false } });
    this.subscriber = subscriber;
    let resumed = false;
    subscriber.on('error', (error: Error) => this.logger.warn(`${this.name}: ${error.message}`));
    subscriber.on('close', () => (this.live = false));
    subscriber.on('ready', () => {
      subscriber.subscribe(this.name).then(
        () => {
          this.live = true;
          // What was published while we were not subscribed is lost: listeners catch up.
          if (resumed) for (const listener of this.resumeListeners) listener();
          resumed = true;
        },
        (error: Error) => this.logger.warn(`subscribing to ${this.name} failed: ${error.message}`),
      );
    });
    subscriber.on('message', (_channel: string, raw: string) => {
      const cut = raw.indexOf('|');
      // Our own messages were delivered here when published.
      if (cut < 0 || raw.slice(0, cut) === this.origin) return;
      this.deliver(raw.slice(cut + 1));
    });
  }
}
