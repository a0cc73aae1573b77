import { Injectable, Logger } from '@nestjs/common';
import { ClientsService } from '@keyfleet/registry';
import { ClientKeyCache, clientKeyDigest, type VerifiedClientKey } from './client-key-cache';

/**
 * Client keys verified against Postgres through ClientKeyCache. A cached key past
 * CLIENT_KEY_REFRESH_AHEAD_MS is re-read in the background while the cached answer serves, and one
 * read per key is in flight at a time: at hundreds of calls a second no call waits on Postgres at the
 * cache's expiry (that wait was the gateway's latency tail).
 */
@Injectable()
export class ClientKeyVerifier {
  private readonly logger = new Logger(ClientKeyVerifier.name);
  private readonly reading = new Map<string, Promise<VerifiedClientKey | null>>();

  constructor(
    private readonly clients: ClientsService,
    private readonly cache: ClientKeyCache,
  ) {}

  /** The verified key, or null when it is unknown, expired or revoked. */
  async verify(rawKey: string): Promise<VerifiedClientKey | null> {
    const now = Date.now();
    const cached = this.cache.get(rawKey, now);
    if (!cached) return this.read(rawKey);
    if (this.cache.dueForRefresh(cached, now)) {
      this.read(rawKey).catch((error: unknown) =>
        this.logger.warn(`re-reading a client key failed: ${(error as Error).message}`),
      );
    }
    return cached;
  }

  private read(rawKey: string): Promise<VerifiedClientKey | null> {
    const id = clientKeyDigest(rawKey);
    const pending = this.reading.get(id);
    if (pending) return pending;
    const mark = this.cache.mark();
    const read = this.clients.authenticate(rawKey).then((client) => {
      if (client) return this.cache.set(rawKey, client, Date.now(), mark);
      this.cache.forget(rawKey); // revoked or expired since it was cached
      return null;
    });
    this.reading.set(id, read);
    const settled = () => this.reading.delete(id);
    read.then(settled, settled);
    return read;
  }
}
