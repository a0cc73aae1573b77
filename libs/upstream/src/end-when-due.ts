import type { ClientRequest } from 'node:http';
import type { Socket } from 'node:net';

/** When a request may be written: the connection is readied before `notBefore`, the write waits for it. */
export interface SendGate {
  /** performance.now() before which nothing is written. */
  notBefore: number;
  /** Asked as the request is about to be written: an error holds it back. */
  check(): Error | undefined;
  /** Told once the request has been written. */
  written?(): void;
}

/**
 * Ends `outgoing` with `body` once its socket is connected and the gate's moment has come, or destroys
 * it with the gate's error, nothing written. The check is made at the last moment before the bytes
 * leave: a wait for a connection or a stalled event loop in between is what it exists for.
 * Returns the error that held the request back, if one did, for the caller's 'error' handler.
 */
export function endWhenDue(
  outgoing: ClientRequest,
  body: string | ArrayBufferView | undefined,
  gate: SendGate | undefined,
  secure: boolean,
): { heldBack(): Error | undefined } {
  let heldBack: Error | undefined;
  outgoing.once('socket', (socket: Socket) => {
    const write = () => {
      const waitMs = (gate?.notBefore ?? 0) - performance.now();
      if (waitMs > 0) return void setTimeout(write, waitMs);
      if (outgoing.destroyed) return; // aborted while it waited
      heldBack = gate?.check();
      if (heldBack) return void outgoing.destroy(heldBack);
      outgoing.end(body);
      gate?.written?.();
    };
    if (!socket.connecting) write();
    else socket.once(secure ? 'secureConnect' : 'connect', write);
  });
  return { heldBack: () => heldBack };
}
