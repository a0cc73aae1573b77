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
