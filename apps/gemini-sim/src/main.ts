// Entry point: `npm run start:sim`. Env: SIM_PORT (default 8090, 0 = any), SIM_HOST, SIM_CONFIG (JSON file).
import { readFileSync } from 'node:fs';
import type { SimConfig } from '@keyfleet/testing';
import { startSimServer } from './sim-server';

function readConfig(): SimConfig {
  const path = process.env.SIM_CONFIG;
  if (!path) return { projects: [] };
  return JSON.parse(readFileSync(path, 'utf8')) as SimConfig;
}

function readPort(): number {
  const text = process.env.SIM_PORT ?? '8090';
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`SIM_PORT must be a port number, got "${text}"`);
  return port;
}

async function main(): Promise<void> {
  const sim = await startSimServer(readConfig(), {
    port: readPort(),
    host: process.env.SIM_HOST ?? '127.0.0.1',
  });
  process.stdout.write(`gemini-sim listening on ${sim.url}\n`);
  const stop = () => {
    sim.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `gemini-sim failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
