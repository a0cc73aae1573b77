import { createHash } from 'node:crypto';

/** sha256 of a secret, hex: safe to log and to index; never reversible. */
export function fingerprint(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export function lastFour(secret: string): string {
  return secret.slice(-4);
}

/** How a secret may be shown anywhere: `…abcd (fp 1a2b3c4d)`. */
export function describeSecret(secret: string): string {
  return `…${lastFour(secret)} (fp ${fingerprint(secret).slice(0, 8)})`;
}
