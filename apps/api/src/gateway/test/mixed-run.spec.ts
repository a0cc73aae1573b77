// SDK calls and a batch share one small pool: the batch leaves KF_INTERACTIVE_SHARE of every project
// free once interactive calls are seen, interactive calls get it at once, and Google never says 429.
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
// The mixed run spans both processes, api and worker: it boots them with the worker's test stack, as
// the worker's own end-to-end tests do.
/* eslint-disable @nx/enforce-module-boundaries */
import { admin, call, eventually } from '../../../../worker/src/test/http-helpers';
import { MODEL, registerClient, startStack, type Stack } from '../../../../worker/src/test/stack';
/* eslint-enable @nx/enforce-module-boundaries */
import { jestFetch, simProject } from './gateway-harness';

const POOL = [
  { name: 'mixed-a', rpm: 20, key: 'AQ.Ab8MixedRunProjectA00001' },
  { name: 'mixed-b', rpm: 10, key: 'AQ.Ab8MixedRunProjectB00002' },
];
const limitsOf = (rpm: number) => ({ [MODEL]: { rpm, tpm: 1_000_000, rpd: 100_000 } });
const BATCH_SIZE = 40; // more than the pool's whole minute (30)
// With a share of 0.2 batches may fill 16 + 8 of the 30; the first interactive call holds one of them.
const BATCH_ROOM = 16 + 8 - 1;

interface BatchBody {
  id: string;
  status: string;
  counts: Record<string, number>;
}

describe('mixed run: SDK calls and a batch on one small pool', () => {
  let stack: Stack;
  let clientKey: string;

  beforeAll(async () => {
    stack = await startStack(
      {
        latencyMs: { min: 2, max: 10 },
        projects: POOL.map((p) => simProject(p.name, limitsOf(p.rpm), [p.key])),
      },
      { KF_INTERACTIVE_SHARE: '0.2', KF_INTERACTIVE_MAX_WAIT_MS: '5000' },
    );
    for (const project of POOL) {
      const created = await admin<{ id: string }>(stack.apiUrl, 'POST', '/projects', {
        name: project.name,
        limits: limitsOf(project.rpm),
      });
      await admin(stack.apiUrl, 'POST', `/projects/${created.id}/keys`, { secret: project.key });
    }
    clientKey = await registerClient(stack.apiUrl, 'mixed-team');
    await stack.startWorker();
  }, 60_000);
  afterAll(() => stack?.close());

  it('keeps the interactive share free from the batch, serves SDK calls at once, and causes no 429', async () => {
    const genai = new GoogleGenAI({
      apiKey: clientKey,
      httpOptions: { baseUrl: stack.apiUrl, apiVersion: 'v1beta', fetch: jestFetch },
    });
    const openai = new OpenAI({ apiKey: clientKey, baseURL: `${stack.apiUrl}/v1`, maxRetries: 0 });
    await genai.models.generateContent({ model: MODEL, contents: 'first interactive call' });

    const submitted = await call(`${stack.apiUrl}/v1/batches`, {
      token: clientKey,
      json: {
        model: MODEL,
        requests: Array.from({ length: BATCH_SIZE }, (_, i) => ({
          key: `row-${i}`,
          request: { contents: [{ role: 'user', parts: [{ text: `batch item ${i}` }] }] },
        })),
      },
    });
    expect(submitted.status).toBe(202);
    const batchId = (submitted.body as BatchBody).id;
    const batch = async () =>
      (await call(`${stack.apiUrl}/v1/batches/${batchId}`, { token: clientKey })).body as BatchBody;
    await eventually(async () => ((await batch()).counts.succeeded === BATCH_ROOM ? true : undefined));

    // The batch now waits for the window to roll; the share it left free serves these at once.
    const started = Date.now();
    const answers = await Promise.all([
      ...[0, 1, 2].map((i) => genai.models.generateContent({ model: MODEL, contents: `genai ${i}` })),
      ...[0, 1, 2].map((i) =>
        openai.chat.completions.create({
          model: MODEL,
          messages: [{ role: 'user', content: `openai ${i}` }],
        }),
      ),
    ]);
    expect(answers).toHaveLength(6);
    expect(Date.now() - started).toBeLessThan(3000);
    const waiting = await batch();
    expect(waiting.counts).toMatchObject({ succeeded: BATCH_ROOM, pending: BATCH_SIZE - BATCH_ROOM });

    const stats = await stack.sim.stats();
    expect(stats.totals.refused429).toBe(0);
    for (const project of POOL) {
      const used = stats.projects[project.name][MODEL];
      expect(used.overLimit).toBe(false);
      expect(used.maxRequestsInRollingWindow).toBe(project.rpm); // the whole pool used, not one over
    }

    const cancelled = await call(`${stack.apiUrl}/v1/batches/${batchId}/cancel`, {
      method: 'POST',
      token: clientKey,
    });
    expect(cancelled.status).toBe(200);
  }, 60_000);
});
