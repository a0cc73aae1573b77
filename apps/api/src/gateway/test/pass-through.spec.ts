// SSE is relayed as it arrives (never buffered), a client that leaves cancels the upstream call, and
// the CIDR allowlist still applies. The upstream here is a small real HTTP server the test drives.
import { createServer, request, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiError, GoogleGenAI } from '@google/genai';
import { bootApi, type ApiHarness } from '../../admin/test/api-harness';
import { addPoolAndClient, FLASH, jestFetch } from './gateway-harness';

const LIMITS = { [FLASH]: { rpm: 1000, tpm: 1_000_000, rpd: 100_000 } };
const event = (text: string, usage?: object) =>
  `data: ${JSON.stringify({ candidates: [{ content: { parts: [{ text }], role: 'model' } }], usageMetadata: usage })}\r\n\r\n`;

const ANSWER = JSON.stringify({
  candidates: [{ content: { parts: [{ text: 'whole' }], role: 'model' } }],
  usageMetadata: { promptTokenCount: 2, totalTokenCount: 3 },
});

/**
 * An upstream that sends the first SSE event at once and the rest only when the test says so; a
 * generateContent call gets ANSWER whole, with its Content-Length.
 */
class HeldStream {
  server: Server = createServer((req, res) => this.answer(res, req.url ?? ''));
  private release: (() => void) | undefined;
  closedEarly = false;

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  releaseRest(): void {
    this.release?.();
  }

  private answer(res: ServerResponse, url: string): void {
    if (url.includes(':generateContent')) {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(ANSWER) });
      res.end(ANSWER);
      return;
    }
    if (!url.includes(':streamGenerateContent')) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(event('first '));
    res.once('close', () => (this.closedEarly = !res.writableFinished));
    this.release = () => res.end(event('second', { promptTokenCount: 3, totalTokenCount: 5 }));
  }
}

describe('pass-through of streams, and the allowlist on the native routes', () => {
  let upstream: HeldStream;
  let api: ApiHarness;
  let clientKey: string;

  beforeAll(async () => {
    upstream = new HeldStream();
    api = await bootApi({ GEMINI_BASE_URL: await upstream.listen(), KF_LOG_LEVEL: 'error' });
    clientKey = await addPoolAndClient(api, 'held', LIMITS, 'AQ.Ab8HeldStreamKey00000001');
  }, 60_000);
  afterAll(async () => {
    await api?.close();
    upstream?.server.closeAllConnections();
    await new Promise((resolve) => upstream?.server.close(resolve));
  });

  const openStream = () =>
    fetch(`${api.url}/v1beta/models/${FLASH}:streamGenerateContent?alt=sse`, {
      method: 'POST',
      headers: { 'x-goog-api-key': clientKey, 'content-type': 'application/json' },
      body: JSON.stringify({ contents: [{ parts: [{ text: 'stream' }] }] }),
    });

  it('delivers the first event while the upstream still holds the rest', async () => {
    const response = await openStream();
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    const first = decoder.decode((await reader.read()).value);
    expect(first).toContain('first ');
    expect(first).not.toContain('second');
    upstream.releaseRest();
    let rest = '';
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read())
      rest += decoder.decode(chunk.value);
    expect(rest).toContain('second');
  });

  it('relays a whole answer with its Content-Length, not in chunks', async () => {
    const { headers, body } = await postRaw(`${api.url}/v1beta/models/${FLASH}:generateContent`, clientKey);
    expect(body).toBe(ANSWER);
    expect(headers['content-length']).toBe(String(Buffer.byteLength(ANSWER)));
    expect(headers['transfer-encoding']).toBeUndefined();
  });

  it('cancels the upstream call when the client goes away mid-stream', async () => {
    upstream.closedEarly = false;
    const controller = new AbortController();
    const response = await fetch(`${api.url}/v1beta/models/${FLASH}:streamGenerateContent?alt=sse`, {
      method: 'POST',
      headers: { 'x-goog-api-key': clientKey, 'content-type': 'application/json' },
      body: JSON.stringify({ contents: [{ parts: [{ text: 'leaving' }] }] }),
      signal: controller.signal,
    });
    await (response.body as ReadableStream<Uint8Array>).getReader().read();
    controller.abort();
    const deadline = Date.now() + 5000;
    while (!upstream.closedEarly && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(upstream.closedEarly).toBe(true);
  });

  it('refuses a valid key used from outside its allowlist with 403', async () => {
    const remote = await api.admin<{ key: string }>('POST', '/clients', {
      name: 'elsewhere',
      allowedIps: ['10.0.0.0/8'],
    });
    const ai = new GoogleGenAI({
      apiKey: remote.body.key,
      httpOptions: { baseUrl: api.url, apiVersion: 'v1beta', fetch: jestFetch },
    });
    const refused: unknown = await ai.models
      .generateContent({ model: FLASH, contents: 'x' })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ApiError);
    expect((refused as ApiError).status).toBe(403);
    expect(JSON.parse((refused as ApiError).message).error.status).toBe('PERMISSION_DENIED');
  });

  it('refuses a malformed request locally, without using quota upstream', async () => {
    const answer = await api.call('POST', `/v1beta/models/${FLASH}:generateContent`, {
      headers: { 'x-goog-api-key': clientKey },
      body: { contents: [] },
    });
    expect(answer.status).toBe(400);
    expect(answer.body.error.status).toBe('INVALID_ARGUMENT');
    const wrongMethod = await api.call('POST', `/v1beta/models/${FLASH}:explode`, {
      headers: { 'x-goog-api-key': clientKey },
      body: { contents: [{ parts: [{ text: 'x' }] }] },
    });
    expect(wrongMethod.status).toBe(404);
  });
});

/** A POST over node:http, which shows the framing headers (Transfer-Encoding) as they came. */
function postRaw(url: string, key: string): Promise<{ headers: IncomingHttpHeaders; body: string }> {
  const payload = JSON.stringify({ contents: [{ parts: [{ text: 'whole' }] }] });
  return new Promise((resolve, reject) => {
    const outgoing = request(
      url,
      { method: 'POST', headers: { 'x-goog-api-key': key, 'content-type': 'application/json' } },
      (incoming) => {
        let body = '';
        incoming.setEncoding('utf8');
        incoming.on('data', (chunk: string) => (body += chunk));
        incoming.on('end', () => resolve({ headers: incoming.headers, body }));
        incoming.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(payload);
  });
}
