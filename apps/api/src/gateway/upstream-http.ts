import { Inject, Injectable } from '@nestjs/common';
import { KEYFLEET_CONFIG, type KeyfleetConfig } from '@keyfleet/config';
import type { PoolKey } from '@keyfleet/registry';
import { UPSTREAM_TIMEOUT_MS } from '@keyfleet/upstream';

/** How the key goes upstream: Gemini's header on the native surface, a bearer token on the OpenAI one. */
export type KeyStyle = 'goog' | 'bearer';

export interface UpstreamRequest {
  method: 'GET' | 'POST';
  /** Below the base URL, e.g. `/v1beta/models/gemini-2.5-flash:generateContent?alt=sse`. */
  path: string;
  key: PoolKey;
  keyStyle: KeyStyle;
  body?: unknown;
  /** Aborts the call (the client went away). */
  signal?: AbortSignal;
}

/** A started upstream call: `done()` stops the timeout once the body has been read or relayed. */
export interface UpstreamAnswer {
  response: Response;
  done(): void;
}

/**
 * Raw HTTP to Gemini: the body goes up and comes back as bytes, so answers (and SSE streams) are relayed
 * exactly as Google sent them, without an SDK's translation in between. The timeout covers the time to
 * the answer's headers and body (UPSTREAM_TIMEOUT_MS), not a client that reads slowly.
 */
@Injectable()
export class UpstreamHttp {
  private readonly baseUrl: string;

  constructor(@Inject(KEYFLEET_CONFIG) config: KeyfleetConfig) {
    this.baseUrl = config.geminiBaseUrl;
  }

  async send(request: UpstreamRequest, timeoutMs = UPSTREAM_TIMEOUT_MS): Promise<UpstreamAnswer> {
    const controller = new AbortController();
    const timer = setTimeout(
      () => controller.abort(new DOMException('timed out', 'TimeoutError')),
      timeoutMs,
    );
    const onAbort = () => controller.abort(request.signal?.reason);
    request.signal?.addEventListener('abort', onAbort, { once: true });
    const done = () => {
      clearTimeout(timer);
      request.signal?.removeEventListener('abort', onAbort);
    };
    const headers: Record<string, string> = { accept: '*/*' };
    if (request.keyStyle === 'goog') headers['x-goog-api-key'] = request.key.secret;
    else headers['authorization'] = `Bearer ${request.key.secret}`;
    if (request.body !== undefined) headers['content-type'] = 'application/json';
    try {
      const response = await fetch(`${this.baseUrl}${request.path}`, {
        method: request.method,
        headers,
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
        signal: controller.signal,
      });
      return { response, done };
    } catch (error) {
      done();
      throw error;
    }
  }
}
