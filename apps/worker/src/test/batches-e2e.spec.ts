import { createHash } from 'node:crypto';
import { call, eventually } from './http-helpers';
import {
  MODEL,
  promptRequest,
  registerClient,
  registerProject,
  simProject,
  startStack,
  type Stack,
} from './stack';

const KEYS = {
  p1a: 'AQ.ASimKeyProjectOneA0001',
  p1b: 'AQ.ASimKeyProjectOneB0002',
  p2a: 'AQ.ASimKeyProjectTwoA0003',
};
const COUNT = 60;

/** What the simulator answers to a prompt: "sim:" + the first 12 hex digits of sha1(prompt). */
const simAnswer = (prompt: string) => `sim:${createHash('sha1').update(prompt).digest('hex').slice(0, 12)}`;

interface BatchBody {
  id: string;
  status: string;
  counts: Record<string, number>;
  startedAt: string | null;
  completedAt: string | null;
  etaSeconds: number | null;
}

describe('end to end: a batch through api, queue, worker and the simulator', () => {
  let stack: Stack;
  let clientKey: string;

  beforeAll(async () => {
    stack = await startStack({
      latencyMs: { min: 2, max: 15 },
      projects: [simProject('sim-p1', [KEYS.p1a, KEYS.p1b]), simProject('sim-p2', [KEYS.p2a])],
    });
    await registerProject(stack.apiUrl, 'project-one', [KEYS.p1a, KEYS.p1b]);
    await registerProject(stack.apiUrl, 'project-two', [KEYS.p2a]);
    clientKey = await registerClient(stack.apiUrl, 'team-e2e');
    await stack.startWorker();
  }, 60_000);

  afterAll(async () => {
    await stack?.close();
  });

  it(`delivers ${COUNT} requests, each answer belonging to its own request, with no 429`, async () => {
    const prompts = Array.from(
      { length: COUNT },
      (_, index) => `Question ${index + 1}: what is ${index} squared?`,
    );
    const submitted = await call(`${stack.apiUrl}/v1/batches`, {
      token: clientKey,
      json: {
        model: MODEL,
        displayName: 'e2e',
        requests: prompts.map((prompt, index) => ({
          key: `row-${index + 1}`,
          request: promptRequest(prompt),
        })),
      },
    });
    expect(submitted.status).toBe(202);
    const batch = submitted.body as BatchBody & { model: string; displayName: string };
    expect(batch).toMatchObject({ model: MODEL, displayName: 'e2e', counts: { total: COUNT } });

    const done = await eventually(async () => {
      const answer = await call(`${stack.apiUrl}/v1/batches/${batch.id}`, { token: clientKey });
      const body = answer.body as BatchBody;
      return body.status === 'completed' ? body : undefined;
    });
    expect(done.counts).toEqual({
      total: COUNT,
      pending: 0,
      running: 0,
      succeeded: COUNT,
      failed: 0,
      cancelled: 0,
    });
    expect(done.startedAt).not.toBeNull();
    expect(done.completedAt).not.toBeNull();
    expect(done.etaSeconds).toBe(0);

    const results = await call(`${stack.apiUrl}/v1/batches/${batch.id}/results`, { token: clientKey });
    expect(results.status).toBe(200);
    expect(results.contentType).toContain('application/x-ndjson');
    const lines = results.text
      .trimEnd()
      .split('\n')
      .map(
        (line) =>
          JSON.parse(line) as {
            key: string;
            response: {
              candidates: Array<{ content: { parts: Array<{ text: string }> } }>;
              usageMetadata: { promptTokenCount: number };
            };
          },
      );
    expect(lines.map((line) => line.key)).toEqual(prompts.map((_, index) => `row-${index + 1}`));
    lines.forEach((line, index) => {
      expect(line.response.candidates[0]?.content.parts[0]?.text).toBe(simAnswer(prompts[index]));
      expect(line.response.usageMetadata.promptTokenCount).toBeGreaterThan(0);
      expect(line.response).not.toHaveProperty('sdkHttpResponse');
    });

    const stats = await stack.sim.stats();
    expect(stats.totals.refused429).toBe(0);
    expect(stats.totals.admitted).toBe(COUNT); // each item sent exactly once
    expect(stats.projects['sim-p1']?.[MODEL]?.admitted ?? 0).toBeGreaterThan(0);
    expect(stats.projects['sim-p2']?.[MODEL]?.admitted ?? 0).toBeGreaterThan(0);
    expect(Object.keys(stats.keys).sort()).toEqual(
      [KEYS.p1a, KEYS.p1b, KEYS.p2a].map((key) => key.slice(-4)).sort(),
    );

    const [row] = await (
      await stack.db.dataSource()
    ).query(
      `SELECT count(*)::int AS items, count(DISTINCT project_id)::int AS projects, count(DISTINCT upstream_key_id)::int AS keys,
              sum(attempts)::int AS attempts
       FROM batch_items WHERE batch_id = $1 AND status = 'succeeded'`,
      [batch.id],
    );
    expect(row).toEqual({ items: COUNT, projects: 2, keys: 3, attempts: 0 });
  }, 60_000);

  it('cancels a batch in flight: running items finish, the rest is cancelled, the counts add up', async () => {
    // More than the pool's minute (1,000 RPM): what the quota admits goes out at once, the rest waits for
    // the window to free, so the cancel surely lands while items still wait.
    const total = 1100;
    await stack.sim.setFaults({ slowRate: 1, slowMs: 100 });
    const submitted = await call(`${stack.apiUrl}/v1/batches`, {
      token: clientKey,
      json: {
        model: MODEL,
        requests: Array.from({ length: total }, (_, i) => ({
          key: `c${i}`,
          request: promptRequest(`cancel me ${i}`),
        })),
      },
    });
    const id = (submitted.body as BatchBody).id;
    await eventually(async () => {
      const body = (await call(`${stack.apiUrl}/v1/batches/${id}`, { token: clientKey })).body as BatchBody;
      return body.counts.succeeded > 0 ? true : undefined;
    });
    const cancelled = await call(`${stack.apiUrl}/v1/batches/${id}/cancel`, {
      method: 'POST',
      token: clientKey,
    });
    expect(cancelled.status).toBe(200);
    expect((cancelled.body as BatchBody).status).toBe('cancelled');
    const done = await eventually(async () => {
      const body = (await call(`${stack.apiUrl}/v1/batches/${id}`, { token: clientKey })).body as BatchBody;
      return body.completedAt ? body : undefined;
    });
    const { counts } = done;
    expect(done.status).toBe('cancelled');
    expect(counts.pending + counts.running).toBe(0);
    expect(counts.succeeded + counts.failed + counts.cancelled).toBe(total);
    expect(counts.cancelled).toBeGreaterThan(0);
    const results = await call(`${stack.apiUrl}/v1/batches/${id}/results`, { token: clientKey });
    const lines = results.text.trimEnd().split('\n');
    expect(lines).toHaveLength(counts.succeeded);
    await stack.sim.setFaults({});
  }, 60_000);
});
