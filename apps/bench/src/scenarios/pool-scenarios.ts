import { BENCH_MODEL, startBenchStack } from '../bench-stack';
import {
  idealMakespanSeconds,
  runPoolDispatch,
  spendIdealMakespanSeconds,
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
  /** Spend-bound: the spend window (simulator and KF_SPEND_WINDOW_MS) and what each request costs. */
  spend?: { windowMs: number; costMicros: number };
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

// Spend binds: 1,000-token prompts cost 300 micro-dollars of input at gemini-2.5-flash's $0.30 per
// million and the simulator's 4-token answers 10 more at $2.50; 240 fit a window across the four
// projects' limits, while their RPM 2,000 and TPM 4M would take 2,000 a minute each.
const SPEND_PROMPT_TOKENS = 1000;
const SPEND_COST_MICROS = 300 + 10;
const POOL_K: PoolProject[] = [0.0075, 0.015, 0.0225, 0.03].map((spendLimitUsd, i) => ({
  name: `bench-k${i + 1}`,
  rpm: 2000,
  tpm: 4_000_000,
  spendLimitUsd,
}));

function fixedPrompts(count: number, tokens: number): string[] {
  return Array.from({ length: count }, (_, i) => {
    const head = `bench spend ${i}: `;
    return head + 'x'.repeat(tokens * 4 - head.length);
  });
}

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
  {
    id: 'k',
    title:
      'spend-bound: 720 prompts of 1,000 tokens, 4 projects at $0.0075/0.015/0.0225/0.03 per 60 s spend window (KF_SPEND_WINDOW_MS=60000), one worker',
    pool: POOL_K,
    workers: 1,
    latencyMs: LATENCY,
    prompts: fixedPrompts(720, SPEND_PROMPT_TOKENS),
    spend: { windowMs: 60_000, costMicros: SPEND_COST_MICROS },
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
    spendWindowMs: scenario.spend?.windowMs,
  });
  try {
    const requests = scenario.prompts.map((text, i) => ({
      key: `${scenario.id}-${i}`,
      request: { contents: [{ role: 'user', parts: [{ text }] }] },
    }));
    const { spend } = scenario;
    const ideal = spend
      ? spendIdealMakespanSeconds(
          scenario.prompts.length,
          spend.costMicros,
          scenario.pool,
          spend.windowMs,
          scenario.latencyMs.max,
        )
      : idealMakespanSeconds(scenario.prompts.map(promptTokens), scenario.pool, scenario.latencyMs.max);
    const pids = stack.workers.map((worker) => worker.child.pid ?? 0);
    return await runPoolDispatch(stack, stack.clientKey, BENCH_MODEL, scenario.pool, requests, ideal, pids);
  } finally {
    await stack.stop();
  }
}
