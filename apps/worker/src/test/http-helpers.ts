import { TEST_ADMIN_TOKEN } from '@keyfleet/testing';

export interface HttpAnswer {
  status: number;
  body: unknown;
  text: string;
  contentType: string | null;
}

/** A real HTTP call; the body is parsed when it is JSON. */
export async function call(
  url: string,
  init: {
    method?: string;
    token?: string;
    json?: unknown;
    body?: string;
    headers?: Record<string, string>;
  } = {},
): Promise<HttpAnswer> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.token) headers['authorization'] = `Bearer ${init.token}`;
  if (init.json !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(url, {
    method: init.method ?? (init.json !== undefined || init.body !== undefined ? 'POST' : 'GET'),
    headers,
    body: init.json !== undefined ? JSON.stringify(init.json) : init.body,
  });
  const text = await response.text();
  const contentType = response.headers.get('content-type');
  let body: unknown = text;
  if (contentType?.includes('application/json') && text) body = JSON.parse(text);
  return { status: response.status, body, text, contentType };
}

/** An admin API call that must succeed; returns the JSON body. */
export async function admin<T = Record<string, unknown>>(
  baseUrl: string,
  method: string,
  path: string,
  json?: unknown,
): Promise<T> {
  const answer = await call(`${baseUrl}/admin/v1${path}`, { method, token: TEST_ADMIN_TOKEN, json });
  if (answer.status >= 300) throw new Error(`${method} ${path} → ${answer.status}: ${answer.text}`);
  return answer.body as T;
}

/** Polls until `check` returns a value (not undefined), or fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  timeoutMs = 30_000,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
