import { readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Client } from 'pg';

export interface BigIngestOptions {
  url: string;
  clientKey: string;
  model: string;
  databaseUrl: string;
  /** The api process, whose resident memory is sampled throughout. */
  apiPid: number;
  items: number;
  /** Approximate bytes per NDJSON line. */
  lineBytes: number;
}

export interface BigIngestResult {
  items: number;
  megabytes: number;
  /** Request start → the batch and all its items committed (seen from Postgres): the ingest alone. */
  storedSeconds: number | null;
  /** Request start → 202: the ingest plus the hand-over to dispatch (the batch announced to the fair scheduler). */
  acceptedSeconds: number;
  apiRssMb: { before: number; peak: number; after: number };
  rssSamples: number;
}

const SAMPLE_MS = 100;

/**
 * One NDJSON upload of `items` lines, generated as it is sent (the bench holds no copy), while the api's
 * RSS is read from /proc every 100 ms and Postgres is polled for the moment the batch is committed.
 */
export async function runBigIngest(options: BigIngestOptions): Promise<BigIngestResult> {
  const before = await rssMb(options.apiPid);
  let peak = before;
  let samples = 0;
  const sampler = setInterval(() => {
    void rssMb(options.apiPid).then((mb) => {
      peak = Math.max(peak, mb);
      samples++;
    });
  }, SAMPLE_MS);
  const db = new Client({ connectionString: options.databaseUrl });
  await db.connect();
  const started = performance.now();
  let storedSeconds: number | null = null;
  const watcher = setInterval(() => {
    if (storedSeconds !== null) return;
    void db.query('SELECT 1 FROM batches WHERE total_count > 0 LIMIT 1').then((result) => {
      if (result.rowCount && storedSeconds === null) storedSeconds = (performance.now() - started) / 1000;
    });
  }, SAMPLE_MS);
  try {
    const { status, text, bytes } = await upload(options);
    const acceptedSeconds = (performance.now() - started) / 1000;
    if (status !== 202) throw new Error(`upload answered ${status}: ${text.slice(0, 300)}`);
    const batch = JSON.parse(text) as { counts: { total: number } };
    const after = await rssMb(options.apiPid);
    return {
      items: batch.counts.total,
      megabytes: bytes / 1e6,
      storedSeconds: storedSeconds ?? acceptedSeconds,
      acceptedSeconds,
      apiRssMb: { before, peak: Math.max(peak, after), after },
      rssSamples: samples,
    };
  } finally {
    clearInterval(sampler);
    clearInterval(watcher);
    await db.end();
  }
}

function upload(options: BigIngestOptions): Promise<{ status: number; text: string; bytes: number }> {
  let bytes = 0;
  const lines = Readable.from(ndjsonLines(options.items, options.lineBytes), { objectMode: false });
  lines.on('data', (chunk: Buffer) => (bytes += chunk.length));
  return new Promise((resolve, reject) => {
    const req = request(`${options.url}/v1/batches?model=${options.model}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${options.clientKey}`, 'content-type': 'application/x-ndjson' },
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString(), bytes }),
      );
    });
    req.on('error', reject);
    pipeline(lines, req).catch(reject);
  });
}

/** Lines in batches of 1,000 (one Buffer each), each padded to about `lineBytes`. */
function* ndjsonLines(items: number, lineBytes: number): Generator<Buffer> {
  const padding = 'x'.repeat(Math.max(0, lineBytes - 110));
  for (let start = 0; start < items; start += 1000) {
    let text = '';
    for (let i = start; i < Math.min(items, start + 1000); i++) {
      text += `${JSON.stringify({
        key: `big-${i}`,
        request: { contents: [{ role: 'user', parts: [{ text: `item ${i} ${padding}` }] }] },
      })}\n`;
    }
    yield Buffer.from(text);
  }
}

async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}
