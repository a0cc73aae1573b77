import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UpstreamFetch } from './upstream-fetch';

// A local HTTP server stands in for Google; GeminiClient's spec covers the SDK on top of this fetch.
describe('UpstreamFetch', () => {
  let server: Server;
  let base: string;
  let handle: (body: string, res: ServerResponse) => void;
  const upstream = new UpstreamFetch();

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => handle(body, res));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    upstream.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('sends method, headers and body, and answers status, headers and the whole body', async () => {
    handle = (body, res) => {
      res.writeHead(201, { 'content-type': 'application/json', 'x-seen': body.length });
      res.end(JSON.stringify({ echoed: JSON.parse(body) }));
    };
    const response = await upstream.fetch(`${base}/v1beta/x`, {
      method: 'POST',
      headers: new Headers({ 'content-type': 'application/json' }),
      body: JSON.stringify({ a: 1 }),
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('x-seen')).toBe('7');
    expect(await response.json()).toEqual({ echoed: { a: 1 } });
  });

  it('streams server-sent events as they arrive', async () => {
    let finish: () => void = () => undefined;
    handle = (_body, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: one\n\n');
      finish = () => res.end('data: two\n\n');
    };
    const response = await upstream.fetch(`${base}/stream`, { method: 'POST', body: '{}' });
    const reader = response.body!.getReader();
    const first = await reader.read(); // before the server has finished
    expect(Buffer.from(first.value).toString()).toBe('data: one\n\n');
    finish();
    const second = await reader.read();
    expect(Buffer.from(second.value).toString()).toBe('data: two\n\n');
    expect((await reader.read()).done).toBe(true);
  });

  it('rejects with the abort reason when the caller aborts, and fails like fetch when nothing listens', async () => {
    handle = () => undefined; // never answers
    const controller = new AbortController();
    const pending = upstream.fetch(`${base}/slow`, { method: 'POST', body: '{}', signal: controller.signal });
    setTimeout(() => controller.abort(new Error('caller gave up')), 50);
    await expect(pending).rejects.toThrow('caller gave up');

    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const refused = upstream.fetch(`http://127.0.0.1:${port}/`, { method: 'GET' });
    await expect(refused).rejects.toMatchObject({
      message: 'fetch failed',
      cause: { code: 'ECONNREFUSED' },
    });
  });

  it('holds a request back when its gate says so: nothing reaches the server', async () => {
    let received = 0;
    handle = (_body, res) => {
      received += 1;
      res.end('{}');
    };
    const gate = { notBefore: 0, check: () => new Error('too late') };
    const held = upstream.fetch(`${base}/held`, { method: 'POST', body: '{}' }, gate);
    await expect(held).rejects.toThrow('too late');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(received).toBe(0);
  });
});
