// SQLSTATE classes and codes that say "the database could not be reached or went away", not "this
// statement is wrong": connection exceptions (08…), operator intervention (57P…), cannot connect now.
const UNAVAILABLE_CODES = /^(08|57P0[1-3]$|53300$)/;
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
]);
const NETWORK_MESSAGES =
  /Connection terminated|connection timeout|Client has encountered a connection error/i;

/** Whether `error` means Postgres is unreachable (retry later) rather than that the statement failed. */
export function isDatabaseUnavailable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (UNAVAILABLE_CODES.test(code) || NETWORK_CODES.has(code))) return true;
  const message = error instanceof Error ? error.message : '';
  return NETWORK_MESSAGES.test(message);
}
