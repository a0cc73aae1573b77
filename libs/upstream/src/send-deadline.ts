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
const scopes = new AsyncLocalStorage<Departure>();

/** One call's way out: until when its request may leave, and when it did (performance.now()). */
export interface Departure {
  sendBy: number;
  sentAt?: number;
}

/** Runs `call` so that its HTTP request leaves only until `departure.sendBy`, noting when it left. */
export function withDeparture<T>(departure: Departure, call: () => Promise<T>): Promise<T> {
  return scopes.run(departure, call);
}

/**
 * The deadline check of the call in progress (none outside withDeparture): the error to hold the
 * request back with once its deadline has passed. A check that passes notes the moment: the last one
 * is made as the request is written.
 */
export function sendDeadlineCheck(): (() => SendDeadlinePassedError | undefined) | undefined {
  const scope = scopes.getStore();
  if (!scope) return undefined;
  return () => {
    const lateByMs = performance.now() - scope.sendBy;
    if (lateByMs > 0) return new SendDeadlinePassedError(lateByMs);
    scope.sentAt = performance.now();
    return undefined;
  };
}
