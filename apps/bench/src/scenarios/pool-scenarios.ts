import { BENCH_MODEL, startBenchStack } from '../bench-stack';
import {
  idealMakespanSeconds,
  runPoolDispatch,
  type PoolDispatchResult,
  type PoolProject,
} from './pool-dispatch';

const LATENCY = { min: 300, max: 800 };

export interface PoolScenario {
  id: string;
  title: string;
  pool: PoolProject[];
  workers: number;
  /** Upstream latency, uniform between min and max ms. */
  latencyMs: { min: number; max: number };
  /** Prompt text of each request; the simulator charges ceil(chars / 4) input tokens. */
  prompts: string[];
}

const POOL_A: PoolProject[] = [30, 60, 120, 240].map((rpm, i) => ({
  name: `bench-a${i + 1}`,
  rpm,
  tpm: 4_000_000,
}));

// Input tokens bind: 800 RPM in all would take 180 requests in one minute, 100,000 TPM cannot.
const POOL_B: PoolProject[] = [10_000, 20_000, 30_000, 40_000].map((tpm, i) => ({
  name: `bench-b${i + 1}`,
  rpm: 200,
  tpm,
}));

function shortPrompts(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `bench request ${i}`);
}

/** Prompts of 100 to 1,500 tokens (deterministic spread), padded to an exact length. */
function variedPrompts(count: number): string[] {
  return Array.from({ length: count }, (_, i) => {
    const tokens = 100 + ((i * 7919) % 1401);
    const head = `bench prompt ${i}: `;
    return head + 'x'.repeat(tokens * 4 - head.length);
  });
}

// A pool large enough to take a whole burst in one window: what one process spends per item.
const POOL_J: PoolProject[] = [1000, 1000, 1000, 1000].map((rpm, i) => ({
  name: `bench-j${i + 1}`,
  rpm,
  tpm: 4_000_000,
}));

export const POOL_SCENARIOS: PoolScenario[] = [
  {
    id: 'a',
    title: '900 requests, 4 projects at RPM 30/60/120/240, latency 300-800 ms, one worker process',
    pool: POOL_A,
    workers: 1,
    latencyMs: LATENCY,
    prompts: shortPrompts(900),
  },
  {
    id: 'b',
    title: 'TPM-bound: 180 prompts of 100-1,500 tokens, 4 projects at TPM 10k/20k/30k/40k (RPM 200 each)',
    pool: POOL_B,
    workers: 1,
    latencyMs: LATENCY,
    prompts: variedPrompts(180),
  },
  {
    id: 'c',
    title: 'scenario (a) with 4 worker processes',
    pool: POOL_A,
    workers: 4,
    latencyMs: LATENCY,
    prompts: shortPrompts(900),
  },
  {
    id: 'g1',
    title: 'scenario (a) at latency 5-15 s, one worker process',
    pool: POOL_A,
    workers: 1,
    latencyMs: { min: 5000, max: 15_000 },
    prompts: shortPrompts(900),
  },
  {
    id: 'g3',
    title: 'scenario (a) at latency 5-15 s, 3 worker processes',
    pool: POOL_A,
    workers: 3,
    latencyMs: { min: 5000, max: 15_000 },
    prompts: shortPrompts(900),
  },
  {
    id: 'h',
    title: '600 requests at latency 30-90 s (a thinking model), pool (a), one worker process',
    pool: POOL_A,
    workers: 1,
    latencyMs: { min: 30_000, max: 90_000 },
    prompts: shortPrompts(600),
  },
  {
    id: 'j',
    title:
      'worker CPU: 4,000 requests in one window (4 projects at RPM 1,000), latency 300-800 ms, one worker',
    pool: POOL_J,
    workers: 1,
    latencyMs: LATENCY,
    prompts: shortPrompts(4000),
  },
];

export function promptTokens(prompt: string): number {
  return Math.max(1, Math.ceil(prompt.length / 4));
}

/** Runs one pool scenario on a fresh stack. */
export async function runPoolScenario(scenario: PoolScenario): Promise<PoolDispatchResult> {
  const stack = await startBenchStack({
    pool: scenario.pool,
    latencyMs: scenario.latencyMs,
    workers: scenario.workers,
  });
  try {
    const requests = scenario.prompts.map((text, i) => ({
      key: `${scenario.id}-${i}`,
      request: { contents: [{ role: 'user', parts: [{ text }] }] },
    }));
    const ideal = idealMakespanSeconds(
      scenario.prompts.map(promptTokens),
      scenario.pool,
      scenario.latencyMs.max,
    );
    const pids = stack.workers.map((worker) => worker.child.pid ?? 0);
    return await runPoolDispatch(stack, stack.clientKey, BENCH_MODEL, scenario.pool, requests, ideal, pids);
  } finally {
    await stack.stop();
  }
}
