import { randomBytes } from 'node:crypto';
import { fingerprint } from './fingerprint';

export const CLIENT_KEY_PREFIX = 'kf_';

/** A new client key: `kf_` + 32 random bytes, base64url. Shown once; only its hash is stored. */
export function generateClientKey(): string {
  return `${CLIENT_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
}

export function hashClientKey(rawKey: string): string {
  return fingerprint(rawKey);
}

export function looksLikeClientKey(value: string): boolean {
  return value.startsWith(CLIENT_KEY_PREFIX) && value.length > CLIENT_KEY_PREFIX.length + 20;
}
