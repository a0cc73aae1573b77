import { Inject, Injectable, Logger, Optional, type OnModuleDestroy } from '@nestjs/common';
import { isDatabaseUnavailable } from '@keyfleet/errors';
import {
  CLOCK,
  ClientsService,
  DatabaseOutage,
  KEEP_WARM_CHECK_MS,
  KeepWarm,
  systemClock,
  type Clock,
} from '@keyfleet/registry';
import { hashClientKey, looksLikeClientKey } from '@keyfleet/secrets';
import { CLIENT_KEY_KEEP_WARM_MS, ClientKeyCache, type VerifiedClientKey } from './client-key-cache';

// Hashes per background query: one query whatever the number of clients, within Postgres' parameter limit.
const REFRESH_BATCH = 1000;

/**
 * Client keys verified against Postgres through ClientKeyCache. Keys used within CLIENT_KEY_KEEP_WARM_MS
 * are re-read in the background, all in one query, before their cache entry expires: a call, even the
 * first after a quiet spell, never waits on Postgres for a key in use. A key not in the cache is read
 * while its caller waits, one read per key at a time. While Postgres cannot be reached, keys verified
 * within CLIENT_KEY_STALE_MAX_MS are still believed; others are answered 503 (never 401).
 */
@Injectable()
export class ClientKeyVerifier implements OnModuleDestroy {
  private readonly logger = new Logger(ClientKeyVerifier.name);
  private readonly reading = new Map<string, Promise<VerifiedClientKey | null>>();
  private readonly warm: KeepWarm;
  private readonly outage: DatabaseOutage;
  private refreshing = false;

  constructor(
    private readonly clients: ClientsService,
    private readonly cache: ClientKeyCache,
    @Optional() @Inject(CLOCK) private readonly clock: Clock = systemClock,
  ) {
    this.warm = new KeepWarm(KEEP_WARM_CHECK_MS, CLIENT_KEY_KEEP_WARM_MS, () => this.refreshUsed(), clock);
    this.outage = new DatabaseOutage(clock, this.logger, 'believing client keys verified before');
  }

  /** The verified key, or null when it is unknown, expired or revoked. */
  async verify(rawKey: string): Promise<VerifiedClientKey | null> {
    if (!looksLikeClientKey(rawKey)) return null;
    const now = this.clock.now();
    const hash = hashClientKey(rawKey);
    this.warm.touch(now);
    const fresh = this.cache.get(hash, now);
    if (fresh) return fresh;
    // A read failed a moment ago: do not make every caller wait for the next one to fail.
    const stale = this.outage.recent(now) ? this.cache.stale(hash, now) : undefined;
    if (stale) return stale;
    try {
      return await this.read(hash);
    } catch (error) {
      if (!isDatabaseUnavailable(error)) throw error;
      this.outage.failed(error);
      const fallback = this.cache.stale(hash, this.clock.now());
      if (fallback) return fallback;
      throw error; // 503 for a key not seen recently
    }
  }

  onModuleDestroy(): void {
    this.warm.stop();
  }

  private read(hash: string): Promise<VerifiedClientKey | null> {
    const pending = this.reading.get(hash);
    if (pending) return pending;
    const mark = this.cache.mark();
    const read = this.clients.authenticateHashes([hash]).then((found) => {
      this.outage.ended();
      const client = found.get(hash);
      if (client) return this.cache.set(hash, client, this.clock.now(), mark);
      this.cache.forget(hash); // revoked or expired since it was cached
      return null;
    });
    this.reading.set(hash, read);
    const settled = () => this.reading.delete(hash);
    read.then(settled, settled);
    return read;
  }

  /** From the keep-warm timer: the keys in use that are about to expire, re-read together. */
  private refreshUsed(): void {
    if (this.refreshing) return;
    const due = this.cache.dueForRefresh(this.clock.now()).slice(0, REFRESH_BATCH);
    if (due.length === 0) return;
    this.refreshing = true;
    const mark = this.cache.mark();
    void this.clients
      .authenticateHashes(due)
      .then((found) => {
        this.outage.ended();
        const now = this.clock.now();
        for (const hash of due) {
          const client = found.get(hash);
          if (client) this.cache.set(hash, client, now, mark);
          else this.cache.forget(hash); // revoked, expired or deleted since
        }
      })
      .catch((error: unknown) => {
        // Entries stay: while Postgres is unreachable they are what callers are served from.
        if (isDatabaseUnavailable(error)) this.outage.failed(error);
        else this.logger.warn(`re-reading client keys failed: ${(error as Error).message}`);
      })
      .finally(() => (this.refreshing = false));
  }
}
