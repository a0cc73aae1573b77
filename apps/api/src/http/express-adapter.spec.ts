import { request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { KeyfleetExpressAdapter } from './express-adapter';

describe('KeyfleetExpressAdapter', () => {
  it('creates each request and response with Express’ own prototypes, and serves Express routes', async () => {
    const adapter = new KeyfleetExpressAdapter();
    adapter.initHttpServer({});
    const app = adapter.getInstance<Express>();
    app.get('/hello', (_req, res) => {
      res.json({ hello: 'world' });
    });
    const server = adapter.getHttpServer() as Server;
    const seen: Array<[object | null, object | null]> = [];
    // Before Express' own listener: what the server created, not what Express made of it.
    server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
      seen.push([Object.getPrototypeOf(req) as object, Object.getPrototypeOf(res) as object]);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const answer = await new Promise<string>((resolve, reject) => {
        request({ host: '127.0.0.1', port, path: '/hello' }, (incoming) => {
          let text = '';
          incoming.on('data', (chunk: Buffer) => (text += chunk.toString()));
          incoming.on('end', () => resolve(text));
        })
          .on('error', reject)
          .end();
      });
      expect(JSON.parse(answer)).toEqual({ hello: 'world' });
      expect(seen).toEqual([[app.request, app.response]]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
