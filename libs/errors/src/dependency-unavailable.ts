import { ErrorCode } from './error-code';
import { KeyfleetError } from './keyfleet-error';

/** How long a client is asked to wait when Postgres cannot be reached (most outages are restarts). */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

// Socket errors of a connection that could not be made or was lost.
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
// SQLSTATEs of a server that is going away or not taking connections: class 08 (connection exception),
// 57P01-57P03 (admin/crash shutdown, cannot connect now), 53300 (too many connections).
const SQLSTATES = /^(08...|57P0[123]|53300)$/;
// node-postgres says these in words only (pool and client, no code).
const MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection is not established|Cannot use a pool after calling end/i;

/**
 * Whether an error means Postgres could not be reached (down, restarting, network cut), as opposed to
 * a query it refused. TypeORM wraps the driver's error (`driverError`); pg-pool sometimes only words it.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 4; depth++) {
    const { code, message } = current as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && (NETWORK_CODES.has(code) || SQLSTATES.test(code))) return true;
    if (typeof message === 'string' && MESSAGES.test(message)) return true;
    const next = current as { driverError?: unknown; cause?: unknown };
    current = next.driverError ?? next.cause;
  }
  return false;
}

/** 503 UNAVAILABLE with a `Retry-After`: what a route that needs Postgres answers while it is unreachable. */
export class DatabaseUnavailableError extends KeyfleetError {
  readonly retryAfterSeconds = DATABASE_RETRY_AFTER_SECONDS;

  constructor() {
    super(
      ErrorCode.Unavailable,
      `keyfleet cannot reach its database right now; please retry in ${DATABASE_RETRY_AFTER_SECONDS}s.`,
      [
        {
          '@type': 'type.googleapis.com/google.rpc.RetryInfo',
          retryDelay: `${DATABASE_RETRY_AFTER_SECONDS}s`,
        },
      ],
    );
    this.name = 'DatabaseUnavailableError';
  }
}

/** The error a client is answered with: a KeyfleetError as it is, a database outage as a 503, else null. */
export function toKeyfleetError(error: unknown): KeyfleetError | null {
  if (error instanceof KeyfleetError) return error;
  if (isDatabaseUnavailable(error)) return new DatabaseUnavailableError();
  return null;
}

/** The seconds a client should wait before retrying, when the error says (`Retry-After`). */
export function retryAfterOf(error: unknown): number | undefined {
  const seconds = (error as { retryAfterSeconds?: unknown } | null)?.retryAfterSeconds;
  return typeof seconds === 'number' ? seconds : undefined;
}
