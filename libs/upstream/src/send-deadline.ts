import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * A request reached the moment it would have left after its send deadline: it was not sent, so nothing
 * reached Google and its quota slot can be given back.
 */
export class SendDeadlinePassedError extends Error {
  constructor(lateByMs: number) {
    super(`not sent: ${Math.round(lateByMs)} ms past its send deadline`);
    this.name = 'SendDeadlinePassedError';
  }
}

// The deadline (performance.now()) of the call in progress: the SDK's own awaits sit between our call
// and its fetch, and under load they can take longer than the quota slot allows.
const deadlines = new AsyncLocalStorage<number>();

/** Runs `call` so that its HTTP request leaves only until `sendBy`; undefined = no deadline. */
export function withSendDeadline<T>(sendBy: number | undefined, call: () => Promise<T>): Promise<T> {
  return sendBy === undefined ? call() : deadlines.run(sendBy, call);
}

/** At the last moment before the request is written: throws when the deadline has passed. */
export function assertBeforeSendDeadline(): void {
  const sendBy = deadlines.getStore();
  if (sendBy === undefined) return;
  const late = performance.now() - sendBy;
  if (late > 0) throw new SendDeadlinePassedError(late);
}
