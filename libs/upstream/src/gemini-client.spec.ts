import { channel } from 'node:diagnostics_channel';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { testConfig } from '@keyfleet/testing';
import { GeminiClient } from './gemini-client';
import { SendDeadlinePassedError } from './send-deadline';
import { UpstreamError } from './upstream-error';

interface Seen {
  url: string;
  apiKey: string | undefined;
  body: Record<string, unknown>;
}

// A tiny local stand-in for Google, for this unit spec only (the end-to-end tests use apps/gemini-sim).
describe('GeminiClient', () => {
  let server: Server;
  let baseUrl: string;
  let reply: (res: ServerResponse) => void;
  const seen: Seen[] = [];

  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      let raw = '';
      req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
      req.on('end', () => {
        seen.push({
          url: req.url ?? '',
          apiKey: req.headers['x-goog-api-key'] as string | undefined,
          body: JSON.parse(raw || '{}'),
        });
        reply(res);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(() => (seen.length = 0));

  const json = (status: number, body: unknown) => (res: ServerResponse) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };

  const client = (timeoutMs?: number) =>
    new GeminiClient(testConfig({ GEMINI_BASE_URL: baseUrl }), timeoutMs);

  it('holds back a request whose send deadline passed before it left, and sends one within it', async () => {
    reply = json(200, { candidates: [], usageMetadata: { promptTokenCount: 2 } });
    const request = { contents: [{ role: 'user', parts: [{ text: 'late?' }] }] };
    const late = client().generateContent(
      'gemini-2.5-flash',
      request,
      { secret: 'AIzaLATE' },
      { sendBy: performance.now() - 1 },
    );
    await expect(late).rejects.toBeInstanceOf(SendDeadlinePassedError);
    expect(seen).toHaveLength(0); // nothing reached the upstream
    const calledAt = performance.now();
    const onTime = await client().generateContent(
      'gemini-2.5-flash',
      request,
      { secret: 'AIzaONTIME' },
      { sendBy: performance.now() + 5_000 },
    );
    expect(onTime.promptTokenCount).toBe(2);
    // When it was written, for the quota engine to count it from then.
    expect(onTime.sentAt).toBeGreaterThan(calledAt);
    expect(onTime.sentAt).toBeLessThan(performance.now());
    expect(seen).toHaveLength(1);
  });

  it('readies a request early but writes it no earlier than its window opens', async () => {
    let arrivedAt = 0;
    reply = (res) => {
      arrivedAt = performance.now();
      json(200, { candidates: [], usageMetadata: { promptTokenCount: 1 } })(res);
    };
    const sendFrom = performance.now() + 150;
    const result = await client().generateContent(
      'gemini-2.5-flash',
      { contents: [{ role: 'user', parts: [{ text: 'at the moment' }] }] },
      { secret: 'AIzaBOOKED' },
      { sendFrom, sendBy: sendFrom + 5_000 },
    );
    expect(seen).toHaveLength(1);
    expect(arrivedAt).toBeGreaterThanOrEqual(sendFrom);
    expect(result.sentAt).toBeGreaterThanOrEqual(sendFrom);
  });

  it('holds back a request whose deadline passes while it waits for a connection', async () => {
    // A server of its own, so no kept-alive connection exists and the request has to connect first.
    let received = 0;
    const fresh = createServer((req, res) => {
      received += 1;
      req.resume();
      req.on('end', () => json(200, { candidates: [] })(res));
    });
    await new Promise<void>((resolve) => fresh.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(fresh.address() as AddressInfo).port}`;
    let connects = 0;
    // Stalls the event loop as connecting starts, past the deadline: as a loaded process would.
    const stall = () => {
      connects += 1;
      const until = performance.now() + 300;
      while (performance.now() < until);
    };
    const connecting = channel('net.client.socket');
    connecting.subscribe(stall);
    try {
      const gemini = new GeminiClient(testConfig({ GEMINI_BASE_URL: url }));
      const call = gemini.generateContent(
        'gemini-2.5-flash',
        { contents: [{ role: 'user', parts: [{ text: 'slow road' }] }] },
        { secret: 'AIzaSLOWCONNECT' },
        { sendBy: performance.now() + 200 },
      );
      await expect(call).rejects.toBeInstanceOf(SendDeadlinePassedError);
      expect(connects).toBe(1); // it passed the first check and went for a connection
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(received).toBe(0); // the headers were never written
    } finally {
      connecting.unsubscribe(stall);
      fresh.closeAllConnections();
      await new Promise((resolve) => fresh.close(resolve));
    }
  });

  it('sends the REST request with the key in x-goog-api-key and returns the plain response and prompt tokens', async () => {
    const answer = {
      candidates: [{ content: { role: 'model', parts: [{ text: 'hi' }] }, finishReason: 'STOP', index: 0 }],
      usageMetadata: { promptTokenCount: 7, candidatesTokenCount: 1, totalTokenCount: 8 },
      modelVersion: 'gemini-2.5-flash',
    };
    reply = json(200, answer);
    const result = await client().generateContent(
      'gemini-2.5-flash',
      {
        contents: [{ role: 'user', parts: [{ text: 'hello' }] }],
        systemInstruction: { parts: [{ text: 'be brief' }] },
        generationConfig: { temperature: 0.2, maxOutputTokens: 10 },
      },
      { secret: 'AIzaTESTSECRET0001' },
    );
    expect(result.promptTokenCount).toBe(7);
    expect(result.response).toEqual(answer);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.url).toBe('/v1beta/models/gemini-2.5-flash:generateContent');
    expect(seen[0]?.apiKey).toBe('AIzaTESTSECRET0001');
    expect(seen[0]?.body).toMatchObject({
      contents: [{ role: 'user', parts: [{ text: 'hello' }] }],
      systemInstruction: { parts: [{ text: 'be brief' }] },
      generationConfig: { temperature: 0.2, maxOutputTokens: 10 },
    });
  });

  it('throws a classified UpstreamError for a 429 and does not retry', async () => {
    reply = json(429, {
      error: {
        code: 429,
        message: 'You exceeded your current quota.',
        status: 'RESOURCE_EXHAUSTED',
        details: [
          { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '26s' },
          {
            '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
            violations: [{ quotaId: 'GenerateRequestsPerMinutePerProjectPerModel-FreeTier' }],
          },
        ],
      },
    });
    const error = await client()
      .generateContent(
        'gemini-2.5-flash',
        { contents: [{ parts: [{ text: 'x' }] }] },
        { secret: 'AIzaTESTSECRET0002' },
      )
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UpstreamError);
    expect((error as UpstreamError).classified).toMatchObject({
      kind: 'quota',
      quotaScope: 'minute',
      retryDelayMs: 26_000,
    });
    expect(seen).toHaveLength(1);
  });

  it('does not retry a 503 itself (retries are the worker’s) and never puts the key in the error', async () => {
    reply = json(503, { error: { code: 503, message: 'The model is overloaded.', status: 'UNAVAILABLE' } });
    const error = await client()
      .generateContent(
        'gemini-2.5-flash',
        { contents: [{ parts: [{ text: 'x' }] }] },
        { secret: 'AIzaTESTSECRET0003' },
      )
      .catch((caught: unknown) => caught);
    expect((error as UpstreamError).kind).toBe('transient');
    expect((error as UpstreamError).message).not.toContain('AIzaTESTSECRET0003');
    expect(seen).toHaveLength(1);
  });

  it('turns a timeout into a transient error', async () => {
    reply = () => undefined; // never answers
    const error = await client(200)
      .generateContent(
        'gemini-2.5-flash',
        { contents: [{ parts: [{ text: 'x' }] }] },
        { secret: 'AIzaTESTSECRET0004' },
      )
      .catch((caught: unknown) => caught);
    expect((error as UpstreamError).classified).toMatchObject({ kind: 'transient', status: 504 });
  });

  it('turns a refused connection into a transient error', async () => {
    const unreachable = new GeminiClient(testConfig({ GEMINI_BASE_URL: 'http://127.0.0.1:1' }));
    const error = await unreachable
      .generateContent(
        'gemini-2.5-flash',
        { contents: [{ parts: [{ text: 'x' }] }] },
        { secret: 'AIzaTESTSECRET0005' },
      )
      .catch((caught: unknown) => caught);
    expect((error as UpstreamError).classified).toMatchObject({
      kind: 'transient',
      status: 503,
      neverSent: true,
    });
  });
});
