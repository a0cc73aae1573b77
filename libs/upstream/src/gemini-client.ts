import { Inject, Injectable, Optional, type OnModuleDestroy } from '@nestjs/common';
import type { GoogleGenAI } from '@google/genai';
import { KEYFLEET_CONFIG, type KeyfleetConfig } from '@keyfleet/config';
import { KeyfleetMetrics } from '@keyfleet/observability';
import { classifyUpstreamError } from './classify-upstream-error';
import { createGenAi } from './genai-factory';
import { quotaIdOf } from './quota-id-of';
import { SendDeadlinePassedError, windowGate, type Departure, type SendWindow } from './send-deadline';
import { toSdkParameters, type GenerateContentRequestBody } from './to-sdk-parameters';
import { UpstreamError } from './upstream-error';
import { UpstreamFetch } from './upstream-fetch';

/** The upstream key to call with. Only `secret` is sent; the rest never leaves keyfleet. */
export interface UpstreamCredential {
  secret: string;
}

export interface GenerateContentResult {
  /** Google's GenerateContentResponse, as plain JSON. */
  response: Record<string, unknown>;
  /** usageMetadata.promptTokenCount (0 when Google did not say): corrects the quota estimate. */
  promptTokenCount: number;
  /** performance.now() when the request was written. */
  sentAt: number | undefined;
  /** usageMetadata candidatesTokenCount + thoughtsTokenCount (undefined when Google did not say): corrects the spend. */
  outputTokenCount?: number;
}

/** An embedding's answer: `{embedding: {values}}`; Google counts no input tokens in it, and no output. */
export type EmbedContentResult = Omit<GenerateContentResult, 'promptTokenCount' | 'outputTokenCount'> & {
  promptTokenCount: null;
  outputTokenCount: 0;
};

export const UPSTREAM_TIMEOUT_MS = 120_000;
/** Optional provider overriding the per-request timeout (ms). */
export const UPSTREAM_TIMEOUT = Symbol('UPSTREAM_TIMEOUT');
// Keys rotate every 7–15 days, so the cache turns over slowly; the bound only stops unbounded growth.
const MAX_CACHED_CLIENTS = 1000;

/** Calls Gemini through `@google/genai`, one SDK instance per key, no SDK retries (retries are ours). */
@Injectable()
export class GeminiClient implements OnModuleDestroy {
  private readonly clients = new Map<string, GoogleGenAI>();
  private readonly upstream = new UpstreamFetch();

  constructor(
    @Inject(KEYFLEET_CONFIG) private readonly config: KeyfleetConfig,
    @Optional() @Inject(UPSTREAM_TIMEOUT) private readonly timeoutMs: number = UPSTREAM_TIMEOUT_MS,
    @Optional() private readonly metrics: KeyfleetMetrics = new KeyfleetMetrics(),
  ) {}

  /**
   * Throws an UpstreamError (already classified) for every failure, or SendDeadlinePassedError when
   * `window.sendBy` (performance.now()) passed before the request left: then nothing reached Google.
   * The request is written no earlier than `window.sendFrom`; the SDK's work and the connection are
   * done before it.
   */
  async generateContent(
    model: string,
    request: GenerateContentRequestBody,
    key: UpstreamCredential,
    window: SendWindow = { sendBy: Infinity },
  ): Promise<GenerateContentResult> {
    return this.call(model, key, window, async (client, httpOptions, sentAt) => {
      const params = toSdkParameters(model, request);
      params.config = { ...params.config, httpOptions };
      const result = await client.models.generateContent(params);
      const response = withoutHttpResponse(result);
      const usage = response['usageMetadata'] as UsageMetadata | undefined;
      return {
        response,
        promptTokenCount: usage?.promptTokenCount ?? 0,
        sentAt: sentAt(),
        outputTokenCount: outputTokensOf(usage),
      };
    });
  }

  /**
   * One EmbedContentRequest (`{content, taskType?, title?, outputDimensionality?}`), answered as Google's
   * embedContent answers: `{embedding: {values}}`. The SDK sends it as a batchEmbedContents of one (one
   * request against the quota). Embedding answers carry no usage: `promptTokenCount` is null.
   */
  async embedContent(
    model: string,
    request: Record<string, unknown>,
    key: UpstreamCredential,
    window: SendWindow = { sendBy: Infinity },
  ): Promise<EmbedContentResult> {
    return this.call(model, key, window, async (client, httpOptions, sentAt) => {
      const { content, model: _named, ...config } = request;
      const result = await client.models.embedContent({
        model,
        contents: content as Parameters<GoogleGenAI['models']['embedContent']>[0]['contents'],
        config: { ...config, httpOptions },
      });
      const embedding = result.embeddings?.[0];
      return { response: { embedding }, promptTokenCount: null, sentAt: sentAt(), outputTokenCount: 0 };
    });
  }

  /**
   * Runs one SDK call with this call's own fetch (the SDK takes one per request), which carries the send
   * window to the moment the request is written; times it, and classifies every failure.
   */
  private async call<T>(
    model: string,
    key: UpstreamCredential,
    window: SendWindow,
    run: (
      client: GoogleGenAI,
      httpOptions: { fetch: typeof fetch },
      sentAt: () => number | undefined,
    ) => Promise<T>,
  ): Promise<T> {
    // Latency counts from the write (a booked request is readied ahead of its moment), else from the call.
    const departure: Departure = { ...window };
    const startedAt = performance.now();
    const seconds = () => (performance.now() - (departure.sentAt ?? startedAt)) / 1000;
    try {
      const value = await run(
        this.clientFor(key.secret),
        { fetch: this.fetchWithin(departure) },
        () => departure.sentAt,
      );
      this.metrics.upstreamAnswered(model, 200, seconds());
      return value;
    } catch (error) {
      if (error instanceof SendDeadlinePassedError) throw error;
      const failure = classifyUpstreamError(error);
      this.metrics.upstreamAnswered(model, failure.status, seconds(), quotaIdOf(failure));
      throw error instanceof UpstreamError ? error : new UpstreamError(failure, { cause: error });
    }
  }

  onModuleDestroy(): void {
    this.upstream.close();
  }

  /** The fetch of one call: writes its request within `departure`'s window, or holds it back after it. */
  private fetchWithin(departure: Departure): typeof fetch {
    return (input, init) => {
      const gate = windowGate(departure);
      const late = gate.check();
      return late ? Promise.reject(late) : this.upstream.fetch(input, init, gate);
    };
  }

  /** The SDK's fetch for calls made without a window of their own. */
  private readonly fetchAnyTime = (input: string | URL | Request, init?: RequestInit) =>
    this.upstream.fetch(input, init);

  private clientFor(secret: string): GoogleGenAI {
    let client = this.clients.get(secret);
    if (!client) {
      client = createGenAi({
        secret,
        baseUrl: this.config.geminiBaseUrl,
        timeoutMs: this.timeoutMs,
        fetch: this.fetchAnyTime,
      });
      if (this.clients.size >= MAX_CACHED_CLIENTS) {
        const oldest = this.clients.keys().next().value;
        if (oldest !== undefined) this.clients.delete(oldest);
      }
      this.clients.set(secret, client);
    }
    return client;
  }
}

/**
 * The SDK adds the raw HTTP response (headers) to the object; it is not part of Google's answer. Its own
 * fields are Google's JSON as parsed (its getters live on the prototype): a shallow copy without that one
 * field is the answer, with no serialise-and-parse round trip per item.
 */
function withoutHttpResponse(result: object): Record<string, unknown> {
  const { sdkHttpResponse: _dropped, ...response } = result as Record<string, unknown>;
  return response;
}

interface UsageMetadata {
  promptTokenCount?: number;
  candidatesTokenCount?: number;
  thoughtsTokenCount?: number;
}

/** What an answer is charged as output: candidates + thoughts tokens; undefined without usageMetadata. */
export function outputTokensOf(usage: UsageMetadata | null | undefined): number | undefined {
  if (!usage || (usage.candidatesTokenCount === undefined && usage.thoughtsTokenCount === undefined))
    return undefined;
  return (usage.candidatesTokenCount ?? 0) + (usage.thoughtsTokenCount ?? 0);
}
