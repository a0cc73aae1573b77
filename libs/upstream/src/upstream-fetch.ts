import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';
import { BufferedResponse } from './buffered-response';
import { endWhenDue, type SendGate } from './end-when-due';

const NO_BODY_STATUSES = new Set([204, 205, 304]);
const AGENT_OPTIONS = {
  keepAlive: true,
  scheduling: 'lifo' as const,
  maxFreeSockets: 100_000,
  // An idle connection is closed after this long (the window that reuses it comes back after ~60 s).
  timeout: 90_000,
};

/**
 * The fetch the SDK calls Google with, over node:http and kept-alive connections. undici's fetch was the
 * largest item in a loaded worker's profile (web streams and abort plumbing around every call), and a
 * connection's readiness is visible here, so a request can be connected ahead of its moment and held
 * back at the last moment before it leaves (`SendGate`). Bodies other than a string or bytes (the SDK's file uploads) go to the global fetch.
 * Answers are read whole (a BufferedResponse, no web stream), except server-sent events, which stream.
 */
export class UpstreamFetch {
  // Every request in flight needs a connection of its own (HTTP/1.1), and a window's burst can be
  // thousands: keeping them all for the next burst (instead of Node's 256) saves closing and opening
  // (for Google, a TLS handshake) that many connections per window. Idle ones close after a while.
  private readonly httpAgent = new HttpAgent(AGENT_OPTIONS);
  private readonly httpsAgent = new HttpsAgent(AGENT_OPTIONS);

  fetch(input: string | URL | Request, init: RequestInit = {}, gate?: SendGate): Promise<Response> {
    const body = init.body;
    const plainBody =
      body === undefined || body === null || typeof body === 'string' || ArrayBuffer.isView(body);
    if (input instanceof Request || !plainBody) return fetch(input, init);
    return this.send(new URL(input), init, body ?? undefined, gate);
  }

  /** Closes the kept-alive connections. */
  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  private send(
    url: URL,
    init: RequestInit,
    body: string | ArrayBufferView | undefined,
    gate: SendGate | undefined,
  ): Promise<Response> {
    const { signal } = init;
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    const secure = url.protocol === 'https:';
    const headers = Object.fromEntries(new Headers(init.headers));
    return new Promise<Response>((resolve, reject) => {
      const onAbort = () => signal && outgoing.destroy(abortReason(signal));
      const settle = () => signal?.removeEventListener('abort', onAbort);
      const outgoing = (secure ? httpsRequest : httpRequest)(url, {
        method: init.method ?? 'GET',
        headers,
        agent: secure ? this.httpsAgent : this.httpAgent,
      });
      const written = endWhenDue(outgoing, body, gate, secure);
      outgoing.once('response', (incoming) => {
        responseOf(incoming).then(
          (response) => (settle(), resolve(response)),
          (error: Error) => (settle(), reject(error)),
        );
      });
      outgoing.once('error', (error) => {
        settle();
        const heldBack = written.heldBack();
        if (heldBack) reject(heldBack);
        else if (signal?.aborted) reject(abortReason(signal));
        // As fetch does: the system error is the cause, so "never sent" can be told apart.
        else reject(new TypeError('fetch failed', { cause: error }));
      });
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}

async function responseOf(incoming: IncomingMessage): Promise<Response> {
  const status = incoming.statusCode ?? 502;
  const init = () => ({ status, statusText: incoming.statusMessage, headers: headersOf(incoming) });
  if (NO_BODY_STATUSES.has(status)) {
    incoming.resume();
    return new Response(null, init());
  }
  if (/^text\/event-stream/i.test(incoming.headers['content-type'] ?? '')) {
    return new Response(Readable.toWeb(incoming) as ReadableStream<Uint8Array>, init());
  }
  const bytes = await readWhole(incoming);
  const response = new BufferedResponse(bytes, status, incoming.statusMessage ?? '', incoming.rawHeaders);
  return response as unknown as Response;
}

function readWhole(incoming: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.once('end', () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
    incoming.once('error', reject);
  });
}

function headersOf(incoming: IncomingMessage): Headers {
  const headers = new Headers();
  const raw = incoming.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i], raw[i + 1]);
  return headers;
}

/** As fetch: the abort's reason, or an AbortError when it gave none. */
function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new DOMException('This operation was aborted', 'AbortError');
}
