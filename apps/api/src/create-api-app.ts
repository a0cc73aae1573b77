import type { Server } from 'node:http';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import type { KeyfleetConfig } from '@keyfleet/config';
import type { Clock } from '@keyfleet/registry';
import { GeminiShapeExceptionFilter } from '@keyfleet/errors';
import { startDefaultMetrics } from '@keyfleet/observability';
import { AppModule } from './app.module';
import { KeyfleetExpressAdapter } from './http/express-adapter';
import { checkedJsonBody, checkedQuery } from './http/input-guard';
import { BullBoard } from './queues/bull-board';

/**
 * Builds the api app (not yet listening): used by main.ts and by the end-to-end tests (which may give
 * the caches a ManualClock).
 */
export async function createApiApp(config: KeyfleetConfig, clock?: Clock): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.forRoot(config, clock),
    new KeyfleetExpressAdapter(),
    { bodyParser: false, bufferLogs: true },
  );
  app.useLogger(app.get(Logger));
  app.use(checkedJsonBody(config.limits.maxJsonBytes));
  app.use(checkedQuery);
  // NDJSON batches are read as a stream by their route (BatchUploads), line by line, in flat memory.
  app.useGlobalFilters(new GeminiShapeExceptionFilter());
  app.get(BullBoard).mount(app);
  keepConnectionsAlive(app.getHttpServer(), config.httpKeepAliveMs);
  app.enableShutdownHooks();
  startDefaultMetrics('api');
  return app;
}

/**
 * Node closes an idle connection after 5 s by default: a client calling every few seconds would then
 * open a new connection per call, and a load balancer with a longer idle timeout would reuse connections
 * keyfleet already closed (502s).
 */
function keepConnectionsAlive(server: Server, keepAliveMs: number): void {
  server.keepAliveTimeout = keepAliveMs;
}
