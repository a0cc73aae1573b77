import { z } from 'zod';
import type { RouteDoc } from './route-doc';

const status = z.object({ status: z.string() }).catchall(z.unknown());

/** Routes served by library controllers (libs/observability), documented here with the rest of the api. */
export const LIBRARY_ROUTE_DOCS: Record<string, RouteDoc[]> = {
  'GET /healthz': [{ summary: 'Liveness: the process answers', auth: 'none', responses: { 200: status } }],
  'GET /readyz': [
    {
      summary: 'Readiness: Postgres and Redis reachable',
      auth: 'none',
      responses: {
        200: status,
        503: { description: 'Postgres or Redis unreachable', content: { 'application/json': status } },
      },
    },
  ],
  'GET /metrics': [
    {
      summary: 'Prometheus metrics of this process (and the fleet gauges, on the api)',
      auth: 'none',
      responses: { 200: { content: { 'text/plain': z.string() } } },
    },
  ],
};
