// The STS token exchange an `external_account` (workload identity federation) credentials file uses,
// and the set of OAuth access tokens the API Keys API accepts.
import { randomBytes } from 'node:crypto';
import type { Reply } from '../http/reply';

const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
export const TOKEN_LIFETIME_SECONDS = 3600;

export class AccessTokens {
  private readonly valid = new Set<string>();
  /** How many exchanges STS answered (tests check that credentials really went through it). */
  exchanges = 0;

  /** Accepts a token handed out elsewhere (a static GOOGLE_OAUTH_ACCESS_TOKEN in tests). */
  allow(token: string): void {
    this.valid.add(token);
  }

  isValid(token: string | undefined): boolean {
    return token !== undefined && this.valid.has(token);
  }

  /** POST /sts/v1/token (form-encoded, RFC 8693), as sts.googleapis.com answers it. */
  exchange(body: string, reply: Reply): void {
    const form = new URLSearchParams(body);
    if (form.get('grant_type') !== TOKEN_EXCHANGE) {
      return reply.json(400, { error: 'invalid_grant', error_description: 'Unsupported grant_type.' });
    }
    if (!form.get('subject_token') || !form.get('subject_token_type') || !form.get('audience')) {
      return reply.json(400, {
        error: 'invalid_request',
        error_description: 'subject_token, subject_token_type and audience are required.',
      });
    }
    const token = `ya29.sim-${randomBytes(24).toString('base64url')}`;
    this.valid.add(token);
    this.exchanges++;
    reply.json(200, {
      access_token: token,
      issued_token_type: ACCESS_TOKEN_TYPE,
      token_type: 'Bearer',
      expires_in: TOKEN_LIFETIME_SECONDS,
    });
  }
}
