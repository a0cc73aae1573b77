// Scenario (f): what keyfleet adds to one interactive call. The same open-loop load (a request every
// 1/rate s, whatever the answers do) goes straight to the simulator and through keyfleet's Gemini-native
// endpoint, in alternating 5 s slices; the difference of the latency percentiles is keyfleet's cost. Then, for
// half as long, the same against the reference proxy (reference-proxy.ts: one Redis round trip, then
// forward): what a minimal gateway adds on the same machine. The api runs as its own process so its memory
// (RSS) under that load can be read.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Agent } from 'node:http';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import {
  deleteRedisKeys,
  spawnSimulator,
  startApp,
  stopApp,
  waitReady,
  type RunningProcess,
} from '@keyfleet/testing';
import { openLoop, type OpenLoopRun as Run, type OpenLoopTarget } from './open-loop';

export interface AddedLatencyOptions {
  /** Postgres database for the api (created and migrated by it if missing; the caller drops it). */
  databaseUrl: string;
  redisUrl: string;
  /** Port of the api process; the reference proxy listens on the next one. */
  port: string;
  /** Default 200 requests per second. */
  ratePerSecond?: number;
  /** Measured time per target, default 60 s, in alternating 5 s slices (after a warm-up of `warmupMs`, default 3 s). */
  durationMs?: number;
  warmupMs?: number;
  /** The simulator's latency, default 1 ms. */
  upstreamLatencyMs?: number;
}

export interface LatencyFigures {
  requests: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
}

export interface AddedLatencyResult {
  ratePerSecond: number;
  durationSeconds: number;
  upstreamLatencyMs: number;
  direct: LatencyFigures;
  keyfleet: LatencyFigures;
  /** keyfleet's p50/p99 minus the direct ones (targets: ≤ 2 ms and ≤ 10 ms). */
  addedP50Ms: number;
  addedP99Ms: number;
  /** The reference proxy's, measured the same way afterwards (half as long): what a minimal gateway adds here. */
  reference: LatencyFigures;
  referenceAddedP50Ms: number;
  referenceAddedP99Ms: number;
  /** The api process' resident memory, sampled every second of the keyfleet phase. */
  apiRssMb: { beforeLoad: number; max: number; end: number };
}

const MODEL = 'gemini-2.5-flash';
const SIM_KEY = 'AQ.Ab8BenchAddedLatencyKey0001';
const HUGE = { rpm: 10_000_000, tpm: 1_000_000_000, rpd: 100_000_000 };
const SLICE_MS = 5000;
const BODY = JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'How far is the moon?' }] }] });

export async function runAddedLatency(options: AddedLatencyOptions): Promise<AddedLatencyResult> {
  const rate = options.ratePerSecond ?? 200;
  const durationMs = options.durationMs ?? 60_000;
  const warmupMs = options.warmupMs ?? 3000;
  const latency = options.upstreamLatencyMs ?? 1;
  const sim = await spawnSimulator({
    windowMode: 'rolling',
    latencyMs: { min: latency, max: latency },
    projects: [{ id: 'bench-f', tier: 'paid', limits: { [MODEL]: HUGE }, keys: [SIM_KEY] }],
  });
  const adminToken = `bench-f-${randomBytes(12).toString('hex')}`;
  const prefix = `kf-bench-f-${Date.now()}`;
  let api: RunningProcess | undefined;
  let reference: RunningProcess | undefined;
  const agent = new Agent({ keepAlive: true });
  try {
    api = startApp('api', {
      DATABASE_URL: options.databaseUrl,
      REDIS_URL: options.redisUrl,
      GEMINI_BASE_URL: sim.url,
      KF_ADMIN_TOKEN: adminToken,
      KF_MASTER_KEY: randomBytes(32).toString('base64'),
      KF_QUEUE_PREFIX: prefix,
      KF_LOG_LEVEL: 'warn',
      PORT: options.port,
    });
    const apiUrl = `http://127.0.0.1:${options.port}`;
    await waitReady(`${apiUrl}/readyz`, api);
    const clientKey = await registerPool(apiUrl, adminToken);
    const direct = { url: `${sim.url}/v1beta/models/${MODEL}:generateContent`, key: SIM_KEY, body: BODY };
    const viaKeyfleet = {
      url: `${apiUrl}/v1beta/models/${MODEL}:generateContent`,
      key: clientKey,
      body: BODY,
    };

    await openLoop(direct, agent, rate, warmupMs);
    await openLoop(viaKeyfleet, agent, rate, warmupMs);
    const pid = api.child.pid ?? 0;
    const beforeLoad = await rssMb(pid);
    const samples: number[] = [];
    const sampler = setInterval(() => void rssMb(pid).then((mb) => samples.push(mb)), 1000);
    let runs: Alternation;
    try {
      runs = await alternate(direct, viaKeyfleet, agent, rate, durationMs);
    } finally {
      clearInterval(sampler);
    }
    const end = await rssMb(pid);
    const directFigures = figuresOf(runs.direct);
    const keyfleetFigures = figuresOf(runs.via);

    // Afterwards, so that nothing but keyfleet shares the machine while keyfleet is measured.
    const referencePort = String(Number(options.port) + 1);
    reference = startReferenceProxy(referencePort, sim.url, options.redisUrl, `${prefix}:reference`);
    await waitReady(`http://127.0.0.1:${referencePort}/healthz`, reference);
    const viaReference = {
      ...direct,
      url: `http://127.0.0.1:${referencePort}${new URL(direct.url).pathname}`,
    };
    await openLoop(viaReference, agent, rate, warmupMs);
    const referenceRuns = await alternate(direct, viaReference, agent, rate, durationMs / 2);
    const referenceDirect = figuresOf(referenceRuns.direct);
    const referenceFigures = figuresOf(referenceRuns.via);
    return {
      ratePerSecond: rate,
      durationSeconds: durationMs / 1000,
      upstreamLatencyMs: latency,
      direct: directFigures,
      keyfleet: keyfleetFigures,
      addedP50Ms: round(keyfleetFigures.p50Ms - directFigures.p50Ms),
      addedP99Ms: round(keyfleetFigures.p99Ms - directFigures.p99Ms),
      reference: referenceFigures,
      referenceAddedP50Ms: round(referenceFigures.p50Ms - referenceDirect.p50Ms),
      referenceAddedP99Ms: round(referenceFigures.p99Ms - referenceDirect.p99Ms),
      apiRssMb: { beforeLoad, max: Math.max(beforeLoad, end, ...samples), end },
    };
  } finally {
    agent.destroy();
    if (api) await stopApp(api);
    if (reference) await stopApp(reference);
    await sim.stop();
    const redis = new Redis(options.redisUrl);
    await deleteRedisKeys(redis, `${prefix}*`);
    await redis.quit();
  }
}

/** One project serving MODEL with limits far above the load, its key, and a client allowed from here. */
async function registerPool(apiUrl: string, adminToken: string): Promise<string> {
  const admin = async (path: string, body: unknown) => {
    const response = await fetch(`${apiUrl}/admin/v1${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`POST ${path} → ${response.status}: ${await response.text()}`);
    return (await response.json()) as { id: string; key?: string };
  };
  // Unique names: a rerun on the same database must not collide with an earlier run's rows.
  const run = Date.now().toString(36);
  const project = await admin('/projects', { name: `bench-f-${run}`, limits: { [MODEL]: HUGE } });
  await admin(`/projects/${project.id}/keys`, { secret: SIM_KEY });
  const client = await admin('/clients', { name: `bench-f-${run}`, allowedIps: ['127.0.0.1/32', '::1/128'] });
  if (!client.key) throw new Error('no client key in the answer');
  return client.key;
}

interface Alternation {
  direct: Run[];
  via: Run[];
}

/** Alternating 5 s slices: on a shared machine, background load then weighs on both sides alike. */
async function alternate(
  direct: OpenLoopTarget,
  via: OpenLoopTarget,
  agent: Agent,
  rate: number,
  durationMs: number,
): Promise<Alternation> {
  const runs: Alternation = { direct: [], via: [] };
  for (let done = 0; done < durationMs; done += SLICE_MS) {
    const slice = Math.min(SLICE_MS, durationMs - done);
    runs.direct.push(await openLoop(direct, agent, rate, slice));
    runs.via.push(await openLoop(via, agent, rate, slice));
  }
  return runs;
}

function startReferenceProxy(
  port: string,
  upstreamUrl: string,
  redisUrl: string,
  windowKey: string,
): RunningProcess {
  const env = {
    PORT: port,
    UPSTREAM_URL: upstreamUrl,
    UPSTREAM_KEY: SIM_KEY,
    REDIS_URL: redisUrl,
    WINDOW_KEY: windowKey,
  };
  return startApp('reference-proxy', env, 'apps/bench/src/scenarios/reference-proxy.ts');
}

function figuresOf(runs: Run[]): LatencyFigures {
  const latencies = runs.flatMap((run) => run.latencies).sort((a, b) => a - b);
  const sum = (pick: (run: Run) => number) => runs.reduce((total, run) => total + pick(run), 0);
  return {
    requests: sum((run) => run.requests),
    errors: sum((run) => run.errors),
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
  };
}

function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]);
}

const round = (ms: number) => Math.round(ms * 100) / 100;

async function rssMb(pid: number): Promise<number> {
  const { stdout } = await promisify(execFile)('ps', ['-o', 'rss=', '-p', String(pid)]);
  return Math.round(Number(stdout.trim()) / 1024);
}
