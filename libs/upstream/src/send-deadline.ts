import { AsyncLocalStorage } from 'node:async_hooks';
import type { SendGate } from './end-when-due';

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

/** When one call's request may leave (performance.now()): not before `sendFrom`, not after `sendBy`. */
export interface SendWindow {
  sendFrom?: number;
  sendBy: number;
  /** Called once the request has been written (not when it is held back). */
  onWritten?: () => void;
}

/** One call's way out: its window, and when the request left. */
export interface Departure extends SendWindow {
  sentAt?: number;
}

/** Runs `call` so that its HTTP request leaves within `departure`'s window, noting when it left. */
export function withDeparture<T>(departure: Departure, call: () => Promise<T>): Promise<T> {
  return scopes.run(departure, call);
}

/**
 * The gate of the call in progress (none outside withDeparture): see windowGate.
 */
export function sendGate(): SendGate | undefined {
  const scope = scopes.getStore();
  return scope && windowGate(scope);
}

/**
 * The gate of one window: not written before it opens, held back with SendDeadlinePassedError once its
 * deadline has passed. A check that passes notes the moment in `sentAt`: the last one is made as the
 * request is written.
 */
export function windowGate(departure: Departure): SendGate {
  return {
    notBefore: departure.sendFrom ?? 0,
    check: () => {
      const lateByMs = performance.now() - departure.sendBy;
      if (lateByMs > 0) return new SendDeadlinePassedError(lateByMs);
      departure.sentAt = performance.now();
      return undefined;
    },
    written: () => departure.onWritten?.(),
  };
}
