import { setTimeout as sleep } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import { isDatabaseUnavailable } from '@keyfleet/persistence';

const logger = new Logger('UntilWritten');
const FIRST_RETRY_MS = 200;
const MAX_RETRY_MS = 5000;

/**
 * Runs a write until Postgres takes it, waiting out an outage: an answer Google has sent (and billed) is
 * never dropped to be asked for again. It stays in this process meanwhile; the item stays running under
 * this worker's lease, so no other worker sends it again. A write that fails for another reason (the
 * statement itself) goes to `onUnwritable` when given, else is thrown.
 */
export async function untilWritten<T>(
  what: string,
  write: () => Promise<T>,
  options: { onUnwritable?: () => Promise<T> } = {},
): Promise<T> {
  let delay = FIRST_RETRY_MS;
  for (let tries = 1; ; tries++) {
    try {
      return await write();
    } catch (error) {
      if (!isDatabaseUnavailable(error)) {
        if (!options.onUnwritable) throw error;
        logger.error(`${what} could not be written: ${String(error)}`);
        return options.onUnwritable();
      }
      if (tries === 1 || tries % 20 === 0)
        logger.warn(`${what} waits for Postgres (try ${tries}): ${String(error)}`);
      await sleep(delay);
      delay = Math.min(delay * 2, MAX_RETRY_MS);
    }
  }
}
