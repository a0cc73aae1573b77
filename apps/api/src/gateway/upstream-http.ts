import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { SERVICE_TIER_HEADER } from '@keyfleet/accounting';
import { KEYFLEET_CONFIG, type KeyfleetConfig } from '@keyfleet/config';
import type { PoolKey } from '@keyfleet/registry';
import { KeyfleetMetrics } from '@keyfleet/observability';
import {
  classifyGoogleError,
  classifyUpstreamError,
  endWhenDue,
  quotaIdOf,
  UPSTREAM_TIMEOUT_MS,
  windowGate,
} from '@keyfleet/upstream';

export interface UpstreamRequest {
  method: 'GET' | 'POST';
  /** Below the base URL, e.g. `/v1beta/models/gemini-2.5-flash:generateContent?alt=sse`. */
  path: string;
  key: PoolKey;
  body?: unknown;
  /** Aborts the call (the client went away). */
  signal?: AbortSignal;
  /**
   * performance.now() after which the request must not leave (its quota reservation's send window):
   * checked as it is written, once connected; past it the call rejects with SendDeadlinePassedError.
   */
  sendBy?: number;
}

/** An upstream answer whose body has not been read yet; `done()` stops the timeout once it has. */
export interface UpstreamAnswer {
  status: number;
  contentType: string | null;
  /** The upstream's Content-Length, when it sent one (the bytes are relayed unchanged, so it stays true). */
  contentLength: number | null;
  /** The `x-gemini-service-tier` header: which tier served the call (`flex` is priced half). */
  serviceTier: string | null;
  body: AsyncIterable<Uint8Array>;
  text(): Promise<string>;
  done(): void;
}

/**
 * Raw HTTP to Gemini over kept-alive connections: the body goes up and comes back as bytes, so answers
 * (and SSE streams) are relayed exactly as Google sent them, with no SDK translation in between. node:http
 * rather than fetch: no web-stream layer per call, which is most of fetch's cost at hundreds of calls a
 * second. The timeout covers the whole upstream answer (UPSTREAM_TIMEOUT_MS); a client leaving aborts it.
 */
@Injectable()
export class UpstreamHttp implements OnModuleDestroy {
  private readonly base: URL;
  private readonly agent: HttpAgent;

  constructor(
    @Inject(KEYFLEET_CONFIG) config: KeyfleetConfig,
    private readonly metrics: KeyfleetMetrics,
  ) {
    this.base = new URL(config.geminiBaseUrl);
    const options = { keepAlive: true, keepAliveMsecs: 10_000, scheduling: 'lifo' as const };
    this.agent = this.base.protocol === 'https:' ? new HttpsAgent(options) : new HttpAgent(options);
  }

  send(request: UpstreamRequest, timeoutMs = UPSTREAM_TIMEOUT_MS): Promise<UpstreamAnswer> {
    const payload = request.body === undefined ? undefined : Buffer.from(JSON.stringify(request.body));
    const headers: Record<string, string | number> = { accept: '*/*' };
    // The key goes in exactly one place, on every path (OpenAI-compatible too): Google answers an auth key
    // sent twice (header and bearer) with 400 "Multiple authentication credentials received".
    headers['x-goog-api-key'] = request.key.secret;
    if (payload) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = payload.length;
    }
    const secure = this.base.protocol === 'https:';
    const counted = this.answerCounter(request);
    const send = secure ? httpsRequest : httpRequest;
    return new Promise<UpstreamAnswer>((resolve, reject) => {
      const outgoing = send(
        new URL(`${this.base.pathname.replace(/\/$/, '')}${request.path}`, this.base),
        { method: request.method, headers, agent: this.agent, signal: request.signal },
        (incoming) => resolve(answerOf(incoming, () => clearTimeout(timer), counted)),
      );
      const timer = setTimeout(() => outgoing.destroy(timeoutError()), timeoutMs);
      const gate = request.sendBy === undefined ? undefined : windowGate({ sendBy: request.sendBy });
      const written = endWhenDue(outgoing, payload, gate, secure);
      // Like fetch: the system error is the cause, so the classifier can tell "never sent" apart.
      outgoing.once('error', (error) => {
        clearTimeout(timer);
        const heldBack = written.heldBack();
        if (heldBack) return reject(heldBack);
        const failure =
          error.name === 'TimeoutError' || error.name === 'AbortError'
            ? error
            : new Error('upstream request failed', { cause: error });
        counted(classifyUpstreamError(failure).status, null);
        reject(failure);
      });
    });
  }

  /** Counts the call's answer once: status, its 429's quotaId, and the time since the call began. */
  private answerCounter(request: UpstreamRequest): AnswerCount {
    const model = modelOf(request);
    const startedAt = performance.now();
    let done = false;
    return (status, quotaId) => {
      if (done) return;
      done = true;
      this.metrics.upstreamAnswered(model, status, (performance.now() - startedAt) / 1000, quotaId);
    };
  }

  onModuleDestroy(): void {
    this.agent.destroy();
  }
}

/** Counts an upstream answer: its status, and for a 429 the quotaId (read from the body when it is read). */
type AnswerCount = (status: number, quotaId: string | null) => void;

/** The model of a call: in the path on the native surface, in the body on the OpenAI one. */
function modelOf(request: UpstreamRequest): string {
  const inPath = /\/models\/([^/:?]+)/.exec(request.path)?.[1];
  const inBody = (request.body as { model?: unknown } | undefined)?.model;
  const model = inPath ?? (typeof inBody === 'string' ? inBody.replace(/^models\//, '') : '');
  return model || 'unknown';
}

function answerOf(incoming: IncomingMessage, done: () => void, count: AnswerCount): UpstreamAnswer {
  const contentType = incoming.headers['content-type'];
  const contentLength = Number(incoming.headers['content-length'] ?? Number.NaN);
  const serviceTier = incoming.headers[SERVICE_TIER_HEADER];
  const status = incoming.statusCode ?? 502;
  // An error answer is counted once its body says which quota it was; a 2xx at once.
  if (status < 400) count(status, null);
  return {
    status,
    contentType: typeof contentType === 'string' ? contentType : null,
    contentLength: Number.isSafeInteger(contentLength) && contentLength >= 0 ? contentLength : null,
    serviceTier: typeof serviceTier === 'string' ? serviceTier : null,
    body: incoming,
    text: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of incoming as AsyncIterable<Buffer>) chunks.push(chunk);
      const text = Buffer.concat(chunks).toString('utf8');
      if (status >= 400) count(status, quotaIdOf(classifyGoogleError(status, text)));
      return text;
    },
    done: () => {
      count(status, null); // an error answer nobody read (counted without its quotaId)
      done();
    },
  };
}

function timeoutError(): Error {
  const error = new Error('upstream request timed out');
  error.name = 'TimeoutError';
  return error;
}
