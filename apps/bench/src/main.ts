// `npm run bench [-- a b …]`: keyfleet against the Gemini simulator (rolling-window mode), on its default
// settings. Prints a table per scenario and merges the figures into bench-results/latest.json. Scenarios:
// (a) pool dispatch, (b) a TPM-bound pool, (c) (a) with 4 worker processes, (d) the quota engine alone,
// (e) a 50,000-item NDJSON ingest, (f) the latency keyfleet's api adds over calling the simulator directly,
// (g) (a) at 5-15 s latency with one and with 3 workers, (h) 30-90 s latency, (i) fairness between
// clients, (j) worker CPU per 1,000 items, (n) Redis memory per waiting item at a 1,000,000-item backlog,
// (m) a 1,000,000-item NDJSON upload (~300 MB): how long until it is stored and accepted, the api's peak memory,
// (k) a spend-bound pool (spend window shortened to 60 s on the simulator and keyfleet), (l) a 5,000-item
// batch live vs economy (Google's Batch Mode on the simulator's short clock): cost and makespan.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { findRepoRoot } from '@keyfleet/testing';
import { describeMachine, readMachine } from './machine';
import { BENCH_MODEL, DATABASE_URL, PORT, REDIS_URL, dropDatabase, startBenchStack } from './bench-stack';
import { runAddedLatency } from './scenarios/added-latency';
import { runEngineThroughput } from './scenarios/engine-throughput';
import { runBigIngest } from './scenarios/big-ingest';
import { runIngest } from './scenarios/ingest';
import { runLanes } from './scenarios/lanes';
import { runBacklogMemory } from './scenarios/backlog-memory';
import { runSmallBehindBig, runWeightedShare } from './scenarios/fairness';
import { POOL_SCENARIOS, runPoolScenario } from './scenarios/pool-scenarios';

const ALL = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n'] as const;
type ScenarioId = (typeof ALL)[number];

function selectedScenarios(args: string[]): ScenarioId[] {
  if (args.length === 0) return [...ALL];
  const unknown = args.filter((arg) => !(ALL as readonly string[]).includes(arg));
  if (unknown.length) throw new Error(`unknown scenario ${unknown.join(', ')}: choose from ${ALL.join(' ')}`);
  return ALL.filter((id) => args.includes(id));
}

async function runPool(id: string): Promise<object> {
  const scenario = POOL_SCENARIOS.find((s) => s.id === id);
  if (!scenario) throw new Error(`no pool scenario ${id}`);
  console.log(`(${id}) ${scenario.title} …`);
  const result = await runPoolScenario(scenario);
  console.log(
    `    delivered ${result.delivered}/${scenario.prompts.length}, upstream 429s ${result.upstream429}, ` +
      `makespan ${result.makespanSeconds.toFixed(1)} s vs ideal ${result.idealSeconds.toFixed(1)} s ` +
      `(${result.ratio.toFixed(3)}×)`,
  );
  const at = (seconds: number | null) => (seconds === null ? '-' : `${seconds.toFixed(2)} s`);
  console.log(
    `    upstream sends from ${at(result.firstSendSeconds)} to ${at(result.lastSendSeconds)} after submitting; ` +
      `worker CPU ${result.workerCpuSecondsPer1000.toFixed(2)} s per 1,000 items`,
  );
  console.table(result.perProject);
  if (scenario.spend) {
    console.log(
      `    spend window ${scenario.spend.windowMs / 1000} s (simulator spendWindowMs, KF_SPEND_WINDOW_MS)`,
    );
    return { ...result, spendWindowMs: scenario.spend.windowMs };
  }
  return result;
}

async function runFairness(): Promise<object> {
  console.log('(i) fairness: client A submits 2,250 items, client B 30 items 3 s later …');
  const small = await runSmallBehindBig();
  console.log(
    `    B done in ${small.bSeconds.toFixed(1)} s; fair bound ${small.fairBoundSeconds.toFixed(1)} s ` +
      `(${small.ratioToFairBound.toFixed(3)}×); first come, first served: ${small.fifoSeconds.toFixed(0)} s`,
  );
  console.log('(i) fairness: five backlogged clients, weights 1, 1, 1, 3, 3, two windows …');
  const weighted = await runWeightedShare();
  for (const [i, window] of weighted.windows.entries())
    console.log(
      `    window ${i + 1}: items ${window.taken.join(' / ')}, Jain's index ${window.jain.toFixed(4)}`,
    );
  return { smallBehindBig: small, weightedShare: weighted };
}

async function runMemory(): Promise<object> {
  console.log('(n) Redis memory per waiting item, 1,000,000-item backlog …');
  const n = await runBacklogMemory();
  console.log(
    `    ${n.bytesPerWaitingItem.toFixed(4)} bytes per waiting item (${n.redisBytesBefore} → ${n.redisBytesAfter} bytes); ` +
      `submitted in ${n.submitSeconds.toFixed(1)} s`,
  );
  return n;
}

async function runBothG(): Promise<object> {
  return { oneWorker: await runPool('g1'), threeWorkers: await runPool('g3') };
}

async function runEngine(): Promise<object> {
  console.log('(d) quota engine alone: reservations/s on one Redis, 8 candidate projects, 64 in flight …');
  const d = await runEngineThroughput({
    redisUrl: REDIS_URL,
    durationMs: 5000,
    concurrency: 64,
    projects: 8,
  });
  console.log(
    `    ${Math.round(d.reservationsPerSecond)} reservations/s (p50 ${d.p50Ms.toFixed(2)} ms, p99 ${d.p99Ms.toFixed(2)} ms)`,
  );
  return d;
}

async function runIngestScenario(): Promise<object> {
  console.log('(e) ingest: one 50,000-item NDJSON batch accepted (stored and enqueued) …');
  const stack = await startBenchStack({
    pool: [{ name: 'bench-e1', rpm: 1000, tpm: 4_000_000 }],
    latencyMs: { min: 1, max: 1 },
    workers: 0,
  });
  try {
    const e = await runIngest(stack.url, stack.clientKey, BENCH_MODEL, 50_000);
    console.log(
      `    ${e.items} items (${(e.bytes / 1e6).toFixed(1)} MB) accepted in ${e.seconds.toFixed(2)} s`,
    );
    return e;
  } finally {
    await stack.stop();
  }
}

async function runBigIngestScenario(): Promise<object> {
  const items = Number(process.env['BENCH_M_ITEMS'] ?? 1_000_000);
  console.log(
    `(m) big ingest: one ${items}-item NDJSON upload (~300 bytes a line), api RSS sampled every 100 ms …`,
  );
  const stack = await startBenchStack({
    pool: [{ name: 'bench-m1', rpm: 1000, tpm: 4_000_000 }],
    latencyMs: { min: 1, max: 1 },
    workers: 0,
  });
  try {
    const pid = stack.api.child.pid;
    if (pid === undefined) throw new Error('the api process has no pid');
    const m = await runBigIngest({
      url: stack.url,
      clientKey: stack.clientKey,
      model: BENCH_MODEL,
      databaseUrl: DATABASE_URL,
      apiPid: pid,
      items,
      lineBytes: 300,
    });
    console.log(
      `    ${m.items} items (${m.megabytes.toFixed(0)} MB): stored in ${m.storedSeconds?.toFixed(1) ?? '-'} s, ` +
        `accepted (202, announced to the scheduler) in ${m.acceptedSeconds.toFixed(1)} s; ` +
        `api RSS ${m.apiRssMb.before.toFixed(0)} → peak ${m.apiRssMb.peak.toFixed(0)} → ${m.apiRssMb.after.toFixed(0)} MB`,
    );
    return m;
  } finally {
    await stack.stop();
  }
}

async function runLatencyScenario(): Promise<object> {
  console.log(
    '(f) added latency: 200 requests/s for 60 s, 1 ms upstream, direct vs through keyfleet vs a reference proxy …',
  );
  await dropDatabase();
  const f = await runAddedLatency({ databaseUrl: DATABASE_URL, redisUrl: REDIS_URL, port: PORT });
  console.log(
    `    added p50 ${f.addedP50Ms.toFixed(2)} ms, p99 ${f.addedP99Ms.toFixed(2)} ms ` +
      `(direct p50 ${f.direct.p50Ms.toFixed(2)} / p99 ${f.direct.p99Ms.toFixed(2)} ms; ` +
      `keyfleet p50 ${f.keyfleet.p50Ms.toFixed(2)} / p99 ${f.keyfleet.p99Ms.toFixed(2)} ms); ` +
      `api RSS max ${f.apiRssMb.max.toFixed(0)} MB`,
  );
  console.log(
    `    reference proxy (one Redis round trip, then forward): added p50 ${f.referenceAddedP50Ms.toFixed(2)} ms, ` +
      `p99 ${f.referenceAddedP99Ms.toFixed(2)} ms`,
  );
  return f;
}

async function runLanesScenario(): Promise<object> {
  console.log('(l) lanes: one 5,000-item batch live, then economy (Batch Mode), 3 projects at 1,000 RPM …');
  const l = await runLanes();
  const usd = (value: number) => `$${value.toFixed(6)}`;
  console.table({
    live: {
      makespanSeconds: l.live.makespanSeconds,
      costUsd: usd(l.live.costUsd),
      simCostUsd: usd(l.live.simCostUsd),
      succeeded: l.live.succeeded,
    },
    economy: {
      makespanSeconds: l.economy.makespanSeconds,
      costUsd: usd(l.economy.costUsd),
      simCostUsd: usd(l.economy.simCostUsd),
      succeeded: l.economy.succeeded,
    },
  });
  console.log(
    `    economy costs ${l.costRatio.toFixed(3)}× live as recorded (${l.simCostRatio.toFixed(3)}× as the simulator charged, ` +
      `rounding each request up to whole micro-dollars); estimated saving at submission ${usd(l.economy.estimatedSavingUsd ?? 0)}; ` +
      `${l.economy.batchModeJobs} Batch Mode jobs; the simulator's turnaround ${l.simTurnaroundSeconds} s ` +
      `(Google: up to 24 h), keyfleet's part ${l.economy.overheadSeconds.toFixed(1)} s`,
  );
  return l;
}

const RUNNERS: Partial<Record<ScenarioId, () => Promise<object>>> = {
  l: runLanesScenario,
  d: runEngine,
  e: runIngestScenario,
  f: runLatencyScenario,
  m: runBigIngestScenario,
  g: runBothG,
  i: runFairness,
  n: runMemory,
};

function writeResults(results: Record<string, unknown>): void {
  const dir = path.join(findRepoRoot(), 'bench-results');
  const file = path.join(dir, 'latest.json');
  mkdirSync(dir, { recursive: true });
  // Scenarios not run this time keep their last figures.
  const previous = existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>)
    : {};
  writeFileSync(file, `${JSON.stringify({ ...previous, ...results }, null, 2)}\n`);
  console.log(`\nwritten to bench-results/latest.json`);
}

async function main(): Promise<void> {
  const scenarios = selectedScenarios(process.argv.slice(2));
  const results: Record<string, unknown> = {};
  // Read before any scenario runs: its load average says what else was running on the machine.
  const machine = readMachine();
  console.log(`machine: ${describeMachine(machine)}\n`);
  for (const id of scenarios) {
    const runner = RUNNERS[id] ?? (() => runPool(id));
    results[id] = { at: new Date().toISOString(), machine, ...(await runner()) };
  }
  writeResults(results);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
