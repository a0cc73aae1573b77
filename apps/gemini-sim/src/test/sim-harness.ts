// Test helpers: an in-process simulator with a hand-moved clock, and small HTTP helpers.
import { GoogleGenAI } from '@google/genai';
import type { SimConfig, SimStats } from '@keyfleet/testing';
import { startSimServer, type SimServerHandle } from '../sim-server';

/** 2026-01-15T12:00:00Z: a whole minute, far from Pacific midnight, in winter time. */
export const T0 = Date.UTC(2026, 0, 15, 12, 0, 0);

export class FakeClock {
  constructor(public ms: number = T0) {}
  readonly now = (): number => this.ms;
  advance(ms: number): void {
    this.ms += ms;
  }
}

// Bodies are checked with expect(); any keeps the specs short.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type JsonBody = any;

export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
  json: JsonBody;
}

interface ErrorDetailJson {
  '@type': string;
  violations?: { quotaId: string }[];
  retryDelay?: string;
}

function detailsOf(body: unknown): ErrorDetailJson[] {
  return (body as { error: { details?: ErrorDetailJson[] } }).error.details ?? [];
}

export interface TestSim {
  url: string;
  clock: FakeClock;
  handle: SimServerHandle;
  request(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<HttpAnswer>;
  /** POST :generateContent with one user text part. */
  generate(key: string, text: string, model?: string): Promise<HttpAnswer>;
  stats(): Promise<SimStats>;
  close(): Promise<void>;
}

/** A prompt of exactly `tokens` tokens (4 characters each), made distinct by `tag`. */
export function promptOf(tokens: number, tag = ''): string {
  return `${tag}${'x'.repeat(Math.max(0, tokens * 4 - tag.length))}`;
}

export function textRequest(text: string) {
  return { contents: [{ role: 'user', parts: [{ text }] }] };
}

export async function startTestSim(
  config: SimConfig,
  options: { clock?: FakeClock; random?: () => number } = {},
): Promise<TestSim> {
  const clock = options.clock ?? new FakeClock();
  const handle = await startSimServer(config, { port: 0, now: clock.now, random: options.random });
  const request = async (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    const response = await fetch(`${handle.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, text, json };
  };
  return {
    url: handle.url,
    clock,
    handle,
    request,
    generate: (key, text, model = 'gemini-2.5-flash') =>
      request('POST', `/v1beta/models/${model}:generateContent`, textRequest(text), {
        'x-goog-api-key': key,
      }),
    stats: async () => (await request('GET', '/sim/stats')).json as SimStats,
    close: () => handle.close(),
  };
}

/** The quotaIds named in a 429 body's QuotaFailure. */
export function quotaIdsOf(body: unknown): string[] {
  const failure = detailsOf(body).find((d) => d['@type'] === 'type.googleapis.com/google.rpc.QuotaFailure');
  return (failure?.violations ?? []).map((v) => v.quotaId);
}

/** A 429 body's RetryInfo delay in milliseconds. */
export function retryDelayMsOf(body: unknown): number {
  const info = detailsOf(body).find((d) => d['@type'] === 'type.googleapis.com/google.rpc.RetryInfo');
  return Math.round(parseFloat(info?.retryDelay ?? 'NaN') * 1000);
}

/**
 * The real @google/genai client on the simulator, configured only with the key and base URL (its default
 * API version, v1). Inside Jest's sandbox it cannot reach Node's global undici dispatcher; handing it fetch avoids that.
 */
export function genaiFor(sim: TestSim, apiKey: string): GoogleGenAI {
  const jestFetch: typeof fetch = (input, init) => fetch(input, init);
  return new GoogleGenAI({ apiKey, httpOptions: { baseUrl: sim.url, fetch: jestFetch } });
}
