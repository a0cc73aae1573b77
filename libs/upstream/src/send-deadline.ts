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

// The deadline of the call in progress. The SDK's own awaits, and then waiting for a connection, sit
// between our call and the request going out; under load they took up to 1.5 s (bench (c)).
const scopes = new AsyncLocalStorage<{ sendBy: number }>();

/** Runs `call` so that its HTTP request leaves only until `sendBy`; undefined = no deadline. */
export function withSendDeadline<T>(sendBy: number | undefined, call: () => Promise<T>): Promise<T> {
  return sendBy === undefined ? call() : scopes.run({ sendBy }, call);
}

/**
 * The deadline check of the call in progress (none outside withSendDeadline): the error to hold the
 * request back with once its deadline has passed.
 */
export function sendDeadlineCheck(): (() => SendDeadlinePassedError | undefined) | undefined {
  const scope = scopes.getStore();
  if (!scope) return undefined;
  return () => {
    const lateByMs = performance.now() - scope.sendBy;
    return lateByMs > 0 ? new SendDeadlinePassedError(lateByMs) : undefined;
  };
}
