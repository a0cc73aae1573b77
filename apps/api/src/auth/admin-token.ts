import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/** The admin token, compared in constant time (digests, so whatever the presented token's length). */
export class AdminToken {
  private readonly expected: Buffer;

  constructor(token: string) {
    this.expected = digest(token);
  }

  matches(presented: string | null | undefined): boolean {
    return !!presented && timingSafeEqual(digest(presented), this.expected);
  }
}
