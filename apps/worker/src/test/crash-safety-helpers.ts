import { createHash } from 'node:crypto';
import { startApp, stopApp, TEST_ADMIN_TOKEN, type RunningProcess } from '@keyfleet/testing';
import { admin, call, eventually } from './http-helpers';
import { MODEL, promptRequest, type Stack } from './stack';

/** What the simulator answers to a prompt: "sim:" + the first 12 hex digits of sha1(prompt). */
export const simAnswer = (prompt: string) =>
  `sim:${createHash('sha1').update(prompt).digest('hex').slice(0, 12)}`;

export interface BatchCounts {
  total: number;
  pending: number;
  running: number;
  succeeded: number;
  failed: number;
  cancelled: number;
}

interface BatchBody {
  id: string;
  status: string;
  counts: BatchCounts;
}

/** Sim and keyfleet limits for one project serving MODEL with the given RPM. */
export function limitsWithRpm(rpm: number) {
  return { [MODEL]: { rpm, tpm: 1_000_000, rpd: 100_000 } };
}

/** Registers a pool project with a small RPM and one key through the admin API. */
export async function registerSmallProject(apiUrl: string, name: string, rpm: number, key: string) {
  const project = await admin<{ id: string }>(apiUrl, 'POST', '/projects', {
    name,
    limits: limitsWithRpm(rpm),
  });
  await admin(apiUrl, 'POST', `/projects/${project.id}/keys`, { secret: key });
}

/** Starts `count` worker processes sharing the stack's database, Redis, queue prefix and master key. */
export function startWorkers(stack: Stack, count: number, extraEnv: Record<string, string> = {}) {
  const env = {
    NODE_ENV: 'test',
    DATABASE_URL: stack.db.url,
    REDIS_URL: stack.config.redisUrl,
    GEMINI_BASE_URL: stack.sim.url,
    KF_QUEUE_PREFIX: stack.config.queuePrefix,
    KF_MASTER_KEY: stack.config.masterKey.toString('base64'),
    KF_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    KF_HEALTH_PORT: '0',
    KF_RUN_MIGRATIONS: 'false',
    KF_LOG_LEVEL: 'warn',
    ...extraEnv,
  };
  return Array.from({ length: count }, () => startApp('worker', env));
}

export async function stopWorkers(workers: RunningProcess[]): Promise<void> {
  await Promise.all(workers.map((worker) => stopApp(worker)));
}

/** Submits one batch of `count` prompts and returns its id and the prompts, keyed `row-<n>`. */
export async function submitBatch(stack: Stack, clientKey: string, count: number, label: string) {
  const prompts = Array.from({ length: count }, (_, i) => `${label} question ${i + 1}: ${i} squared?`);
  const submitted = await call(`${stack.apiUrl}/v1/batches`, {
    token: clientKey,
    json: {
      model: MODEL,
      requests: prompts.map((prompt, i) => ({ key: `row-${i + 1}`, request: promptRequest(prompt) })),
    },
  });
  if (submitted.status !== 202) throw new Error(`submit → ${submitted.status}: ${submitted.text}`);
  return { id: (submitted.body as BatchBody).id, prompts };
}

export async function batchState(stack: Stack, clientKey: string, id: string): Promise<BatchBody> {
  return (await call(`${stack.apiUrl}/v1/batches/${id}`, { token: clientKey })).body as BatchBody;
}

/** Waits until the batch is completed and returns its counts. */
export async function waitCompleted(stack: Stack, clientKey: string, id: string, timeoutMs: number) {
  return eventually(
    async () => {
      const body = await batchState(stack, clientKey, id);
      return body.status === 'completed' ? body.counts : undefined;
    },
    timeoutMs,
    250,
  );
}

/** The batch's NDJSON result lines as (key, answer text) pairs. */
export async function resultLines(stack: Stack, clientKey: string, id: string) {
  const results = await call(`${stack.apiUrl}/v1/batches/${id}/results`, { token: clientKey });
  return results.text
    .trimEnd()
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const parsed = JSON.parse(line) as {
        key: string;
        response?: { candidates?: Array<{ content?: { parts?: Array<{ text?: string }> } }> };
      };
      return { key: parsed.key, text: parsed.response?.candidates?.[0]?.content?.parts?.[0]?.text };
    });
}
