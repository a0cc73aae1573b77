import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { CidrList, type AuthenticatedClient } from '@keyfleet/registry';

/** How long a verified client key is believed without asking Postgres (as long as the pool's cache). */
export const CLIENT_KEY_CACHE_MS = 2_000;
/** From this age a verified key is re-read in the background, so callers never wait at the expiry. */
export const CLIENT_KEY_REFRESH_AHEAD_MS = 1_500;
// Bounds memory whatever the number of clients; the oldest entry goes first.
const MAX_ENTRIES = 10_000;

export interface VerifiedClientKey {
  client: AuthenticatedClient;
  allowlist: CidrList;
  verifiedAt: number;
  until: number;
}

/**
 * Verified client keys for CLIENT_KEY_CACHE_MS, so interactive calls do not pay a Postgres round trip
 * each. Never beyond the key's own expiry; only successes are kept; entries are keyed by the key's
 * digest. Admin changes on this process clear it at once (and void reads begun before); another api
 * process sees a revocation within CLIENT_KEY_CACHE_MS.
 */
@Injectable()
export class ClientKeyCache {
  private readonly entries = new Map<string, VerifiedClientKey>();
  private clears = 0;

  get(rawKey: string, now = Date.now()): VerifiedClientKey | undefined {
    const id = clientKeyDigest(rawKey);
    const entry = this.entries.get(id);
    if (entry && entry.until > now) return entry;
    if (entry) this.entries.delete(id);
    return undefined;
  }

  /** Whether an entry is old enough to be re-read in the background. */
  dueForRefresh(entry: VerifiedClientKey, now = Date.now()): boolean {
    return now - entry.verifiedAt >= CLIENT_KEY_REFRESH_AHEAD_MS;
  }

  /** Marks the start of a Postgres read: `set` with this mark keeps nothing if the cache was cleared since. */
  mark(): number {
    return this.clears;
  }

  set(rawKey: string, client: AuthenticatedClient, now = Date.now(), mark = this.clears): VerifiedClientKey {
    const expiresAt = client.keyExpiresAt ? new Date(client.keyExpiresAt).getTime() : Infinity;
    const entry = {
      client,
      allowlist: CidrList.parse(client.allowedIps),
      verifiedAt: now,
      until: Math.min(now + CLIENT_KEY_CACHE_MS, expiresAt),
    };
    if (mark !== this.clears) return entry; // read before an admin change: answer this caller, keep nothing
    if (this.entries.size >= MAX_ENTRIES) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    const id = clientKeyDigest(rawKey);
    this.entries.delete(id); // re-inserted last: eviction stays oldest-first
    this.entries.set(id, entry);
    return entry;
  }

  forget(rawKey: string): void {
    this.entries.delete(clientKeyDigest(rawKey));
  }

  clear(): void {
    this.clears++;
    this.entries.clear();
  }
}

export const clientKeyDigest = (rawKey: string) =>
  createHash('sha256').update(rawKey, 'utf8').digest('base64');
