import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { loadConfigOrExit } from '@keyfleet/config';
import { startDefaultMetrics, startHealthServer } from '@keyfleet/observability';
import { RotatorModule } from './rotator.module';

/** The rotator: an application context (no HTTP app) plus /healthz, /readyz, /metrics on KF_HEALTH_PORT. */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const app = await NestFactory.createApplicationContext(RotatorModule.forRoot(config), { bufferLogs: true });
  const logger = app.get(Logger);
  app.useLogger(logger);
  app.enableShutdownHooks();
  startDefaultMetrics('rotator');
  const health = await startHealthServer(app, config.healthPort);
  logger.log(`keyfleet rotator running; health on port ${health.port}`, 'Rotator');
}

void main();
