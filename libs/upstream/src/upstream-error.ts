import type { QuotaDimension, QuotaScope, QuotaViolation } from './quota-failure';

/**
 * What keyfleet does about an upstream failure:
 * - quota: a 429; the request waits (without using an attempt) until the project has room again;
 * - invalid_key / key_blocked: the key is taken out of service and the request moves to another key;
 * - transient: 5xx, network, timeout; retried with backoff, using an attempt;
 * - client_error: the request itself is wrong; final, the item fails with Google's error.
 */
export type UpstreamErrorKind = 'quota' | 'invalid_key' | 'key_blocked' | 'transient' | 'client_error';

export interface ClassifiedUpstreamError {
  kind: UpstreamErrorKind;
  /** The HTTP status Google answered with (503 for a network failure, 504 for a timeout). */
  status: number;
  /** Google's RPC status name (`RESOURCE_EXHAUSTED`, `INVALID_ARGUMENT`, …). */
  rpcStatus: string;
  /** Google's message; never contains the key. */
  message: string;
  /** quota: the widest scope violated (`day` wins over `minute`); absent when Google did not say. */
  quotaScope?: QuotaScope;
  /** quota: the dimension of that violation. */
  dimension?: QuotaDimension;
  /** quota: RetryInfo.retryDelay in ms, when present (for a per-day quota it is NOT the wait). */
  retryDelayMs?: number;
  /** quota: `limit: 0` — the model has no quota in this project at all. */
  limitZero?: boolean;
  /** quota: a 429 with only a `Help` link (no QuotaFailure, no RetryInfo): no quota named, no wait given. */
  helpOnly?: boolean;
  /** quota: every violation, as sent. */
  violations?: QuotaViolation[];
  /** invalid_key / key_blocked: the ErrorInfo reason, or `API_KEY_LEAKED`. */
  reason?: string;
  /** transient: the request certainly never reached Google (no connection), so nothing was counted. */
  neverSent?: boolean;
}

/** A failed upstream call, already classified. Thrown by GeminiClient. */
export class UpstreamError extends Error {
  constructor(
    readonly classified: ClassifiedUpstreamError,
    options?: { cause?: unknown },
  ) {
    super(`upstream ${classified.status} ${classified.rpcStatus}: ${classified.message}`, options);
    this.name = 'UpstreamError';
  }

  get kind(): UpstreamErrorKind {
    return this.classified.kind;
  }

  /** The `{code, message, status}` an item that fails on this error records (Google's own error). */
  toItemError(): { code: number; message: string; status: string } {
    const { status, message, rpcStatus } = this.classified;
    return { code: status, message, status: rpcStatus };
  }
}
