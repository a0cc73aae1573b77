import 'reflect-metadata';
import { Logger } from 'nestjs-pino';
import { loadConfigOrExit } from '@keyfleet/config';
import { createApiApp } from './create-api-app';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const app = await createApiApp(config);
  await app.listen(config.port, '0.0.0.0');
  app.get(Logger).log(`keyfleet api listening on ${await app.getUrl()}`, 'Api');
}

void main();
