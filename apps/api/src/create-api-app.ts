import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { json, text } from 'express';
import { Logger } from 'nestjs-pino';
import type { KeyfleetConfig } from '@keyfleet/config';
import { GeminiShapeExceptionFilter } from '@keyfleet/errors';
import { startDefaultMetrics } from '@keyfleet/observability';
import { AppModule } from './app.module';

/** Builds the api app (not yet listening): used by main.ts and by the end-to-end tests. */
export async function createApiApp(config: KeyfleetConfig): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    bodyParser: false,
    bufferLogs: true,
  });
  app.useLogger(app.get(Logger));
  app.use(json({ limit: config.limits.maxBodyBytes }));
  // NDJSON batches arrive as text and are parsed line by line, so errors can name the line.
  app.use(text({ type: 'application/x-ndjson', limit: config.limits.maxBodyBytes }));
  app.useGlobalFilters(new GeminiShapeExceptionFilter());
  app.enableShutdownHooks();
  startDefaultMetrics('api');
  return app;
}
