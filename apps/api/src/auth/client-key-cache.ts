import { Injectable } from '@nestjs/common';
import { CidrList, KEEP_WARM_FOR_MS, type AuthenticatedClient } from '@keyfleet/registry';

/** How long a verified client key is believed without asking Postgres (as long as the pool's cache). */
export const CLIENT_KEY_CACHE_MS = 2_000;
/** From this age a verified key is re-read in the background, so callers never wait at the expiry. */
export const CLIENT_KEY_REFRESH_AHEAD_MS = 1_500;
/** A key used within this long is kept verified in the background, however rarely it is used. */
export const CLIENT_KEY_KEEP_WARM_MS = KEEP_WARM_FOR_MS; // the pool's policy too
/**
 * While Postgres cannot be reached, a key verified within this long is still believed (never past its
 * own expiry), so clients seen recently keep working through an outage: nobody can revoke a key
 * meanwhile, as that needs Postgres too.
 */
export const CLIENT_KEY_STALE_MAX_MS = 15 * 60_000;
// Bounds memory whatever the number of clients; the oldest entry goes first.
const MAX_ENTRIES = 10_000;

export interface VerifiedClientKey {
  client: AuthenticatedClient;
  allowlist: CidrList;
  verifiedAt: number;
  until: number;
}

interface Entry {
  verified: VerifiedClientKey;
  usedAt: number;
  /** The key's own expiry (Infinity if none). */
  expiresAt: number;
}

/**
 * Verified client keys for CLIENT_KEY_CACHE_MS, so interactive calls do not pay a Postgres round trip
 * each. Never beyond the key's own expiry; only successes are kept; entries are keyed by the key's
 * stored hash (hashClientKey), never by the key. Admin changes on this process clear it at once (and
 * void reads begun before); another api process sees a revocation within CLIENT_KEY_CACHE_MS.
 */
@Injectable()
export class ClientKeyCache {
  private readonly entries = new Map<string, Entry>();
  private clears = 0;

  /** The verified key of this hash, if still believed; counts as a use. */
  get(hash: string, now = Date.now()): VerifiedClientKey | undefined {
    const entry = this.live(hash, now);
    if (!entry || entry.verified.until <= now) return undefined;
    entry.usedAt = now;
    return entry.verified;
  }

  /**
   * For when Postgres cannot be reached: the key as last verified, if that was within
   * CLIENT_KEY_STALE_MAX_MS and it has not expired since; counts as a use.
   */
  stale(hash: string, now = Date.now()): VerifiedClientKey | undefined {
    const entry = this.live(hash, now);
    if (entry) entry.usedAt = now;
    return entry?.verified;
  }

  /** The entry while it may still serve (fresh or stale); one past that is dropped. */
  private live(hash: string, now: number): Entry | undefined {
    const entry = this.entries.get(hash);
    if (!entry) return undefined;
    if (now < entry.expiresAt && now - entry.verified.verifiedAt <= CLIENT_KEY_STALE_MAX_MS) return entry;
    this.entries.delete(hash);
    return undefined;
  }

  /** Hashes to re-read in the background: old enough to refresh, and used within CLIENT_KEY_KEEP_WARM_MS. */
  dueForRefresh(now = Date.now()): string[] {
    const due: string[] = [];
    for (const [hash, { verified, usedAt }] of this.entries) {
      const used = now - usedAt <= CLIENT_KEY_KEEP_WARM_MS;
      if (used && now - verified.verifiedAt >= CLIENT_KEY_REFRESH_AHEAD_MS) due.push(hash);
    }
    return due;
  }

  /** Marks the start of a Postgres read: `set` with this mark keeps nothing if the cache was cleared since. */
  mark(): number {
    return this.clears;
  }

  set(hash: string, client: AuthenticatedClient, now = Date.now(), mark = this.clears): VerifiedClientKey {
    const expiresAt = client.keyExpiresAt ? new Date(client.keyExpiresAt).getTime() : Infinity;
    const verified = {
      client,
      allowlist: CidrList.parse(client.allowedIps),
      verifiedAt: now,
      until: Math.min(now + CLIENT_KEY_CACHE_MS, expiresAt),
    };
    if (mark !== this.clears) return verified; // read before an admin change: answer this caller, keep nothing
    const usedAt = this.entries.get(hash)?.usedAt ?? now;
    if (this.entries.size >= MAX_ENTRIES && !this.entries.has(hash)) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.delete(hash); // re-inserted last: eviction stays oldest-first
    this.entries.set(hash, { verified, usedAt, expiresAt });
    return verified;
  }

  forget(hash: string): void {
    this.entries.delete(hash);
  }

  clear(): void {
    this.clears++;
    this.entries.clear();
  }
}
