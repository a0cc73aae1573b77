import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplicationContext } from '@nestjs/common';
import { metricsText } from './metrics';
import { Readiness } from './readiness';

/**
 * The only HTTP a worker or rotator serves: /healthz, /readyz, /metrics on KF_HEALTH_PORT (0 = any free port).
 * A plain node server: these processes are application contexts, not HTTP apps.
 */
export async function startHealthServer(
  app: INestApplicationContext,
  port: number,
): Promise<{ server: Server; port: number }> {
  const readiness = app.get(Readiness);
  const server = createServer((req, res) => {
    void (async () => {
      const path = (req.url ?? '/').split('?')[0];
      if (path === '/healthz') return send(res, 200, 'application/json', JSON.stringify({ status: 'ok' }));
      if (path === '/readyz') {
        const result = await readiness
          .check()
          .catch((error: unknown) => ({ status: 'error', error: String(error) }));
        return send(res, result.status === 'ok' ? 200 : 503, 'application/json', JSON.stringify(result));
      }
      if (path === '/metrics') {
        const { contentType, body } = await metricsText();
        return send(res, 200, contentType, body);
      }
      send(
        res,
        404,
        'application/json',
        JSON.stringify({ error: { code: 404, message: 'Not found', status: 'NOT_FOUND' } }),
      );
    })();
  });
  await new Promise<void>((resolve) => server.listen(port, resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

function send(res: import('node:http').ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type });
  res.end(body);
}
