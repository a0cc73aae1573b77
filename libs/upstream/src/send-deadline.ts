import { AsyncLocalStorage } from 'node:async_hooks';
import { channel } from 'node:diagnostics_channel';

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

interface DeadlineScope {
  /** performance.now() after which the request must not leave. */
  sendBy: number;
  /** Aborts the request in flight (set by deadlineFetch). */
  abort?: (reason: SendDeadlinePassedError) => void;
}

// The deadline of the call in progress. The SDK's own awaits, and then waiting for a connection, sit
// between our call and the request going out; under load they took up to 1.5 s (bench (c)).
const scopes = new AsyncLocalStorage<DeadlineScope>();

/** Runs `call` so that its HTTP request leaves only until `sendBy`; undefined = no deadline. */
export function withSendDeadline<T>(sendBy: number | undefined, call: () => Promise<T>): Promise<T> {
  return sendBy === undefined ? call() : scopes.run({ sendBy }, call);
}

function lateBy(scope: DeadlineScope): number {
  return performance.now() - scope.sendBy;
}

/**
 * fetch that honours the deadline twice: before asking for a connection, and once more when undici is
 * about to write the request's headers on one (its documented `undici:client:sendHeaders` diagnostics
 * channel, which runs in the request's async context, before the write).
 */
export function deadlineFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
  const scope = scopes.getStore();
  if (!scope) return fetch(input, init);
  if (lateBy(scope) > 0) return Promise.reject(new SendDeadlinePassedError(lateBy(scope)));
  const controller = new AbortController();
  scope.abort = (reason) => controller.abort(reason);
  const signal = init?.signal ? AbortSignal.any([init.signal, controller.signal]) : controller.signal;
  return fetch(input, { ...init, signal });
}

channel('undici:client:sendHeaders').subscribe(() => {
  const scope = scopes.getStore();
  if (scope?.abort && lateBy(scope) > 0) scope.abort(new SendDeadlinePassedError(lateBy(scope)));
});
