import { Logger } from '@nestjs/common';

/** While a connection keeps failing, one log line per this long (ioredis retries every 2 s at most). */
export const REDIS_ERROR_LOG_EVERY_MS = 30_000;

interface ErrorSource {
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/**
 * Gives a Redis client (ioredis), or a BullMQ queue or worker (which re-emit their connections'
 * errors), the error listener it must have: without one, ioredis prints "[ioredis] Unhandled error
 * event" with a stack to stderr and BullMQ prints the raw error, on every reconnection attempt, outside
 * the JSON logs.
 */
export function logRedisErrors<T extends ErrorSource>(source: T, name: string): T {
  source.on('error', redisErrorReporter(name));
  return source;
}

/**
 * An error listener that logs through Nest's logger (pino, JSON): the first error at once, then one
 * line per REDIS_ERROR_LOG_EVERY_MS with how many were seen since, so an outage shows but does not flood.
 */
export function redisErrorReporter(name: string, now: () => number = Date.now): (error: Error) => void {
  const logger = new Logger('Redis');
  let loggedAt = -Infinity;
  let unlogged = 0;
  return (error) => {
    const at = now();
    if (at - loggedAt < REDIS_ERROR_LOG_EVERY_MS) {
      unlogged++;
      return;
    }
    const since = unlogged > 0 ? ` (and ${unlogged} more since the last report)` : '';
    logger.warn(`${name}: ${error.message}${since}`);
    loggedAt = at;
    unlogged = 0;
  };
}
