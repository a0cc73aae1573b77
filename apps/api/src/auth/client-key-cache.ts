import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { CidrList, type AuthenticatedClient } from '@keyfleet/registry';

/** How long a verified client key is believed without asking Postgres (as long as the pool's cache). */
export const CLIENT_KEY_CACHE_MS = 2_000;
// Bounds memory whatever the number of clients; the oldest entry goes first.
const MAX_ENTRIES = 10_000;

interface Entry {
  client: AuthenticatedClient;
  allowlist: CidrList;
  until: number;
}

/**
 * Verified client keys for CLIENT_KEY_CACHE_MS, so interactive calls do not pay a Postgres round trip
 * each. Never beyond the key's own expiry; only successes are kept (unknown keys always reach Postgres);
 * entries are keyed by the key's digest. Admin changes on this process clear it at once; another api
 * process sees a revocation within CLIENT_KEY_CACHE_MS.
 */
@Injectable()
export class ClientKeyCache {
  private readonly entries = new Map<string, Entry>();

  get(rawKey: string, now = Date.now()): Entry | undefined {
    const id = digest(rawKey);
    const entry = this.entries.get(id);
    if (entry && entry.until > now) return entry;
    if (entry) this.entries.delete(id);
    return undefined;
  }

  set(rawKey: string, client: AuthenticatedClient, now = Date.now()): Entry {
    const expiresAt = client.keyExpiresAt ? new Date(client.keyExpiresAt).getTime() : Infinity;
    const entry = {
      client,
      allowlist: CidrList.parse(client.allowedIps),
      until: Math.min(now + CLIENT_KEY_CACHE_MS, expiresAt),
    };
    if (this.entries.size >= MAX_ENTRIES) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(digest(rawKey), entry);
    return entry;
  }

  clear(): void {
    this.entries.clear();
  }
}

const digest = (rawKey: string) => createHash('sha256').update(rawKey, 'utf8').digest('base64');
