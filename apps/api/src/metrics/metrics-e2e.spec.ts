import { Queue } from 'bullmq';
import {
  scrapeMetrics,
  startProcessStack,
  TEST_REDIS_URL,
  type ProcessStack,
  type ScrapedMetrics,
} from '@keyfleet/testing';

const FLASH = 'gemini-2.5-flash';
const PRO = 'gemini-2.5-pro';
const QUOTA_ID = 'GenerateRequestsPerMinutePerProjectPerModel';
const KEYS = {
  alpha: 'AQ.AMetricsAlphaKey0001',
  beta: 'AQ.AMetricsBetaKey00002',
  gamma: 'AQ.AMetricsGammaKey0003',
};
const FLASH_LIMITS = { rpm: 1000, tpm: 1_000_000, rpd: 100_000 };
const PRO_LIMITS = { rpm: 1, tpm: 1_000_000, rpd: 1000 };
const COUNT = 20;

interface Batch {
  id: string;
  status: string;
  counts: Record<string, number>;
}

interface QuotaRow {
  projectName: string;
  model: string;
  window: { requests: number; tokens: number };
  today: { requests: number };
  limits: { rpm: number };
}

const request = (text: string) => ({ contents: [{ role: 'user', parts: [{ text }] }] });

describe('metrics: a batch through the simulator, every process scraped over HTTP', () => {
  let stack: ProcessStack;
  let clientKey: string;
  let projectIds: Record<string, string>;

  async function client<T>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }> {
    const response = await fetch(`${stack.apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${clientKey}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as T };
  }

  async function waitFor(batchId: string, done: (batch: Batch) => boolean): Promise<Batch> {
    for (let i = 0; i < 600; i++) {
      const { body } = await client<Batch>('GET', `/v1/batches/${batchId}`);
      if (done(body)) return body;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`batch ${batchId} did not get there`);
  }

  async function submit(model: string, count: number): Promise<Batch> {
    const requests = Array.from({ length: count }, (_, i) => ({
      key: `${model}-${i}`,
      request: request(`q${i}`),
    }));
    const answer = await client<Batch>('POST', '/v1/batches', { model, requests });
    expect(answer.status).toBe(202);
    return answer.body;
  }

  beforeAll(async () => {
    stack = await startProcessStack(
      {
        latencyMs: { min: 2, max: 10 },
        projects: [
          { id: 'sim-alpha', tier: 'paid', limits: { [FLASH]: FLASH_LIMITS }, keys: [KEYS.alpha] },
          { id: 'sim-beta', tier: 'paid', limits: { [FLASH]: FLASH_LIMITS }, keys: [KEYS.beta] },
          {
            id: 'sim-gamma',
            tier: 'paid',
            limits: { [PRO]: { rpm: 5, tpm: 1_000_000, rpd: 1000 } },
            keys: [KEYS.gamma],
          },
        ],
        // One 429 from Google on alpha: counted with its quotaId, and alpha is blocked for the rest.
        faults: {
          script: [{ status: 429, count: 1, projectId: 'sim-alpha', model: FLASH, quotaId: QUOTA_ID }],
        },
      },
      { env: { KF_INTERACTIVE_MAX_WAIT_MS: '0' } },
    );
    projectIds = {};
    const pool = [
      ['alpha', FLASH, FLASH_LIMITS],
      ['beta', FLASH, FLASH_LIMITS],
      ['gamma', PRO, PRO_LIMITS],
    ] as const;
    for (const [name, model, limits] of pool) {
      const project = await stack.admin<{ id: string }>('POST', '/projects', {
        name,
        limits: { [model]: limits },
      });
      await stack.admin('POST', `/projects/${project.id}/keys`, { secret: KEYS[name] });
      projectIds[name] = project.id;
    }
    clientKey = await stack.newClient('metrics-team');
  }, 120_000);

  afterAll(async () => {
    await stack?.close();
  });

  it('counts upstream answers, latencies, admissions and finished items in the worker', async () => {
    const batch = await submit(FLASH, COUNT);
    const done = await waitFor(batch.id, (b) => b.status === 'completed');
    expect(done.counts['succeeded']).toBe(COUNT);

    const worker = await scrapeMetrics(`${stack.workerUrls[0]}/metrics`);
    const flash = { model: FLASH };
    expect(worker.sum('keyfleet_batch_items_finished_total', { ...flash, outcome: 'succeeded' })).toBe(COUNT);
    expect(worker.sum('keyfleet_upstream_responses_total', { ...flash, status: '200' })).toBe(COUNT);
    expect(
      worker.sum('keyfleet_upstream_responses_total', { ...flash, status: '429', quota_id: QUOTA_ID }),
    ).toBe(1);
    expect(worker.sum('keyfleet_upstream_latency_seconds', flash)).toBe(COUNT + 1);
    // Every send was admitted first (the 429's request too, and its retry elsewhere).
    expect(worker.sum('keyfleet_admission_wait_seconds', { ...flash, lane: 'batch' })).toBeGreaterThanOrEqual(
      COUNT + 1,
    );
    expect((await stack.sim.stats()).totals.refused429).toBe(1);
  });

  it('exports quota use against limits, keys, items and the backlog from the api, as the admin API reads them', async () => {
    // gamma allows one pro request a minute: one goes, four wait in the backlog.
    const waiting = await submit(PRO, 5);
    const seen = await waitFor(waiting.id, (b) => b.counts['succeeded'] === 1 && b.counts['pending'] === 4);

    const api = await scrapeMetrics(`${stack.apiUrl}/metrics`);
    const { quota } = await stack.admin<{ quota: QuotaRow[] }>('GET', '/quota');
    for (const row of quota) {
      const labels = { project: row.projectName, model: row.model };
      expect(api.sum('keyfleet_quota_used', { ...labels, dimension: 'rpm' })).toBe(row.window.requests);
      expect(api.sum('keyfleet_quota_used', { ...labels, dimension: 'tpm' })).toBe(row.window.tokens);
      expect(api.sum('keyfleet_quota_used', { ...labels, dimension: 'rpd' })).toBe(row.today.requests);
      expect(api.sum('keyfleet_quota_limit', { ...labels, dimension: 'rpm' })).toBe(row.limits.rpm);
    }
    // 20 answered + the one Google refused (it counted it too) on flash, one on pro.
    expect(api.sum('keyfleet_quota_used', { model: FLASH, dimension: 'rpm' })).toBe(COUNT + 1);
    expect(api.sum('keyfleet_quota_used', { project: 'gamma', model: PRO, dimension: 'rpd' })).toBe(1);
    expect(api.sum('keyfleet_quota_limit', { project: 'gamma', model: PRO, dimension: 'rpd' })).toBe(1000);

    expect(api.sum('keyfleet_batch_items', { model: FLASH, status: 'succeeded' })).toBe(COUNT);
    expect(api.sum('keyfleet_batch_items', { model: PRO, status: 'pending' })).toBe(seen.counts['pending']);
    expect(api.sum('keyfleet_queue_depth', { model: PRO })).toBe(4);
    expect(api.sum('keyfleet_queue_depth', { model: FLASH })).toBe(0);

    for (const name of ['alpha', 'beta', 'gamma'])
      expect(api.sum('keyfleet_upstream_keys', { project: name, status: 'active' })).toBe(1);
    const due = api.samples('keyfleet_upstream_key_rotation_due_days');
    expect(due).toHaveLength(3);
    for (const { value } of due) expect(value > 6.99 && value <= 15).toBe(true);
    // BullMQ's own export, for the queues that exist (here: one the rotator would have made).
    const sweep = new Queue('rotation-sweep', {
      connection: { url: TEST_REDIS_URL },
      prefix: stack.env['KF_QUEUE_PREFIX'],
    });
    await sweep.add('sweep', {}, { delay: 60_000 });
    const withQueue = await scrapeMetrics(`${stack.apiUrl}/metrics`);
    expect(withQueue.sum('bullmq_job_count', { queue: 'rotation-sweep', state: 'delayed' })).toBe(1);
    await sweep.obliterate({ force: true });
    await sweep.close();
  });

  it("counts keyfleet's own 429s and the api's upstream answers", async () => {
    const call = (model: string) =>
      fetch(`${stack.apiUrl}/v1beta/models/${model}:generateContent`, {
        method: 'POST',
        headers: { 'x-goog-api-key': clientKey, 'content-type': 'application/json' },
        body: JSON.stringify(request('hello')),
      });
    expect((await call(FLASH)).status).toBe(200);
    expect((await call(PRO)).status).toBe(429); // gamma's minute is used up, and the api may not wait
    const api: ScrapedMetrics = await scrapeMetrics(`${stack.apiUrl}/metrics`);
    expect(api.sum('keyfleet_client_throttled_total', { model: PRO })).toBe(1);
    expect(api.sum('keyfleet_upstream_responses_total', { model: FLASH, status: '200' })).toBe(1);
    expect(api.sum('keyfleet_admission_wait_seconds', { model: FLASH, lane: 'interactive' })).toBe(1);
  });
});
