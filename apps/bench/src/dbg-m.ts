import { createWriteStream } from 'node:fs';
import { BENCH_MODEL, DATABASE_URL, startBenchStack } from './bench-stack';
import { runBigIngest } from './scenarios/big-ingest';

async function main() {
  const stack = await startBenchStack({ pool: [{ name: 'm', rpm: 1000, tpm: 4_000_000 }], latencyMs: { min: 1, max: 1 }, workers: 0, env: { NODE_OPTIONS: process.env['API_NODE_OPTIONS'] ?? '' } });
  const out = createWriteStream('/tmp/kf17/api-out.txt');
  stack.api.child.stdout?.pipe(out);
  stack.api.child.stderr?.pipe(out);
  try {
    const m = await runBigIngest({ url: stack.url, clientKey: stack.clientKey, model: BENCH_MODEL, databaseUrl: DATABASE_URL, apiPid: stack.api.child.pid!, items: Number(process.env['N'] ?? 300000), lineBytes: 300 });
    console.log(JSON.stringify(m));
  } finally { await stack.stop(); }
  process.exit(0);
}
void main();
