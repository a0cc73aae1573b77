import { randomBytes } from 'node:crypto';
import type { SimStats, SpawnedSimulator } from '@keyfleet/testing';
import { measureCpu } from '../process-cpu';

export interface PoolProject {
  name: string;
  rpm: number;
  tpm: number;
  /** US dollars per spend window (keyfleet and the simulator alike); absent = none. */
  spendLimitUsd?: number;
}

export interface PoolDispatchResult {
  delivered: number;
  failed: number;
  upstream429: number;
  makespanSeconds: number;
  idealSeconds: number;
  ratio: number;
  overLimit: boolean;
  /** From the submission to the simulator's first and last admitted arrival. */
  firstSendSeconds: number | null;
  lastSendSeconds: number | null;
  /** CPU seconds the worker processes used from submission to completion, per 1,000 items delivered. */
  workerCpuSecondsPer1000: number;
  perProject: Array<{
    project: string;
    requests: number;
    maxRequestsIn60s: number;
    rpm: number;
    maxTokensIn60s: number;
    tpm: number;
    /** Most micro-dollars the simulator saw in one spend window, and the limit (when the pool has one). */
    maxSpendMicrosInWindow?: number;
    spendLimitMicros?: number | null;
  }>;
}

interface Stack {
  url: string;
  adminToken: string;
  sim: SpawnedSimulator;
}

export async function call<T>(url: string, token: string, method: string, body?: unknown): Promise<T> {
  const response = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${url} → ${response.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

/** Registers the pool and a client through the admin API; returns the client key. */
export async function registerPool(stack: Stack, model: string, projects: PoolProject[]): Promise<string> {
  for (const project of projects) {
    const created = await call<{ id: string }>(`${stack.url}/admin/v1/projects`, stack.adminToken, 'POST', {
      name: project.name,
      tier: 'tier1',
      limits: { [model]: { rpm: project.rpm, tpm: project.tpm, rpd: 100_000 } },
      // Without a spend limit of its own, the scenario sets none (tier 1's $10 would apply).
      spendLimitUsd: project.spendLimitUsd ?? null,
    });
    const secret = `AQ.Ab8Bench${project.name}${randomBytes(8).toString('hex')}`;
    await stack.sim.addKey({ projectId: project.name, key: secret });
    await call(`${stack.url}/admin/v1/projects/${created.id}/keys`, stack.adminToken, 'POST', { secret });
  }
  const { key } = await call<{ key: string }>(`${stack.url}/admin/v1/clients`, stack.adminToken, 'POST', {
    name: `bench-${Date.now()}`,
    allowedIps: ['127.0.0.0/8', '::1/128'],
  });
  return key;
}

/**
 * The shortest time the quotas allow for `n` requests of `tokens` input tokens each: every rolling 60 s
 * window admits at most the pool's RPM (and TPM); the last window's requests then take their latency,
 * and among hundreds of them the slowest takes about the simulator's largest (`maxLatencyMs`).
 */
export function idealMakespanSeconds(
  requestTokens: number[],
  projects: PoolProject[],
  maxLatencyMs: number,
): number {
  const rpm = projects.reduce((sum, p) => sum + p.rpm, 0);
  const tpm = projects.reduce((sum, p) => sum + p.tpm, 0);
  const totalTokens = requestTokens.reduce((sum, t) => sum + t, 0);
  const windows = Math.max(Math.ceil(requestTokens.length / rpm), Math.ceil(totalTokens / tpm));
  return (windows - 1) * 60 + maxLatencyMs / 1000;
}

/**
 * The shortest time the spend limits allow: every rolling spend window admits at most floor(limit / cost)
 * requests per project (every request costing `costMicros`); the last window's requests take their latency.
 */
export function spendIdealMakespanSeconds(
  count: number,
  costMicros: number,
  projects: PoolProject[],
  spendWindowMs: number,
  maxLatencyMs: number,
): number {
  const perWindow = projects.reduce(
    (sum, p) => sum + Math.floor(((p.spendLimitUsd ?? 0) * 1_000_000) / costMicros),
    0,
  );
  const windows = Math.ceil(count / perWindow);
  return ((windows - 1) * spendWindowMs + maxLatencyMs) / 1000;
}

/** Submits one batch and waits for it; figures from the batch API and the simulator's own stats. */
export async function runPoolDispatch(
  stack: Stack,
  clientKey: string,
  model: string,
  projects: PoolProject[],
  requests: Array<{ key: string; request: Record<string, unknown> }>,
  idealSeconds: number,
  workerPids: number[],
): Promise<PoolDispatchResult> {
  await stack.sim.resetStats();
  const cpu = measureCpu(workerPids);
  const started = Date.now();
  const batch = await call<{ id: string }>(`${stack.url}/v1/batches`, clientKey, 'POST', { model, requests });
  let status: { status: string; counts: { succeeded: number; failed: number } };
  do {
    // Polled often: the makespan ends at the first poll that sees the batch completed.
    await new Promise((resolve) => setTimeout(resolve, 50));
    status = await call(`${stack.url}/v1/batches/${batch.id}`, clientKey, 'GET');
  } while (status.status !== 'completed');
  const makespanSeconds = (Date.now() - started) / 1000;
  const workerCpuSeconds = cpu.stop();
  const stats: SimStats = await stack.sim.stats();
  const perProject = projects.map((p) => {
    const s = stats.projects[p.name]?.[model];
    return {
      project: p.name,
      requests: s?.admitted ?? 0,
      maxRequestsIn60s: s?.maxRequestsInRollingWindow ?? 0,
      rpm: p.rpm,
      maxTokensIn60s: s?.maxTokensInRollingWindow ?? 0,
      tpm: p.tpm,
      ...(p.spendLimitUsd === undefined
        ? {}
        : {
            maxSpendMicrosInWindow: stats.spend[p.name]?.maxMicrosInWindow ?? 0,
            spendLimitMicros: stats.spend[p.name]?.limitMicros ?? null,
          }),
    };
  });
  return {
    delivered: status.counts.succeeded,
    failed: status.counts.failed,
    upstream429: stats.totals.refused429,
    makespanSeconds,
    idealSeconds,
    ratio: makespanSeconds / idealSeconds,
    overLimit: projects.some((p) => stats.projects[p.name]?.[model]?.overLimit),
    firstSendSeconds: sinceStart(stats.totals.firstAdmittedAt, started),
    lastSendSeconds: sinceStart(stats.totals.lastAdmittedAt, started),
    workerCpuSecondsPer1000: (workerCpuSeconds / Math.max(1, status.counts.succeeded)) * 1000,
    perProject,
  };
}

const sinceStart = (at: number | null, started: number) => (at === null ? null : (at - started) / 1000);
