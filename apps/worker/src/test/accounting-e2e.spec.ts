// Accounting through the real stack (api, worker, Postgres, Redis, the simulator) with the real SDKs:
// a live batch, native calls through @google/genai, OpenAI chat and embeddings through `openai`.
import { GoogleGenAI, ServiceTier } from '@google/genai';
import { parse } from 'csv-parse/sync';
import OpenAI from 'openai';
import type { DataSource } from 'typeorm';
import { costOfTokens, type UsageReport, type UsageSums } from '@keyfleet/accounting';
import { SHIPPED_MODEL_PRICES } from '@keyfleet/registry';
import { TEST_ADMIN_TOKEN } from '@keyfleet/testing';
import { admin, call, eventually } from './http-helpers';
import { UsageRollupJob } from '../maintenance/usage-rollup-job';
import { MODEL, registerClient, startStack, submitPrompts, TEST_TIMING, type Stack } from './stack';

const EMBED = 'gemini-embedding-001';
const LIMITS = { rpm: 1000, tpm: 1_000_000, rpd: 100_000 };
const KEYS = { a: 'AQ.AccountingProjectA00001', b: 'AQ.AccountingProjectB00002' };
const BATCH_ITEMS = 20;
// 20 batch items + 3 generateContent (one Flex) + 1 stream + 2 native embeddings (alice);
// 3 chats (one Flex) + 3 embeddings (bob).
const ALICE_REQUESTS = BATCH_ITEMS + 6;
const BOB_REQUESTS = 6;
const FLEX_REQUESTS = 2;

/** Inside Jest the SDK cannot reach Node's global undici dispatcher; handing it fetch avoids that. */
const jestFetch: typeof fetch = (input, init) => fetch(input, init);

interface RawRecord {
  client_id: string;
  project_id: string;
  model: string;
  lane: 'live' | 'flex';
  surface: string;
  batch_id: string | null;
  input_tokens: number;
  output_tokens: number;
  thinking_tokens: number;
  cached_tokens: number;
  cost_micro_usd: string;
}

describe('accounting end to end: every request recorded and priced, reports that reconcile', () => {
  let stack: Stack;
  let sql: DataSource;
  const keys = { alice: '', bob: '' };
  const ids = { alice: '', bob: '', batch: '' };
  const usage = (path: string, token = TEST_ADMIN_TOKEN, headers: Record<string, string> = {}) =>
    call(`${stack.apiUrl}${path}`, { token, headers });

  beforeAll(async () => {
    const limits = { [MODEL]: LIMITS, [EMBED]: LIMITS };
    stack = await startStack({
      // The simulator charges generation only (its spend is compared with keyfleet's below).
      prices: { [EMBED]: { input: 0, output: 0 } },
      projects: [
        { id: 'sim-a', tier: 'paid', limits, keys: [KEYS.a] },
        { id: 'sim-b', tier: 'paid', limits, keys: [KEYS.b] },
      ],
    });
    for (const [name, secret] of [
      ['acct-a', KEYS.a],
      ['acct-b', KEYS.b],
    ]) {
      const project = await admin<{ id: string }>(stack.apiUrl, 'POST', '/projects', { name, limits });
      await admin(stack.apiUrl, 'POST', `/projects/${project.id}/keys`, { secret });
    }
    keys.alice = await registerClient(stack.apiUrl, 'alice');
    keys.bob = await registerClient(stack.apiUrl, 'bob');
    ids.alice = await clientIdOf(keys.alice);
    ids.bob = await clientIdOf(keys.bob);
    sql = await stack.db.dataSource();
    // The rollup runs when the last test says so (its own timer would come a minute later).
    await stack.startWorker({ ...TEST_TIMING, usageRollupEveryMs: 600_000 });
    await runTraffic();
  }, 120_000);
  afterAll(() => stack?.close());

  async function clientIdOf(key: string): Promise<string> {
    return ((await call(`${stack.apiUrl}/v1/whoami`, { token: key })).body as { clientId: string }).clientId;
  }

  async function runTraffic(): Promise<void> {
    ids.batch = await submitPrompts(stack.apiUrl, keys.alice, 'acct', BATCH_ITEMS);
    const ai = new GoogleGenAI({
      apiKey: keys.alice,
      httpOptions: { baseUrl: stack.apiUrl, fetch: jestFetch },
    });
    await ai.models.generateContent({ model: MODEL, contents: 'How much did this cost?' });
    await ai.models.generateContent({ model: MODEL, contents: 'And this, a little longer a question?' });
    for await (const chunk of await ai.models.generateContentStream({ model: MODEL, contents: 'stream it' }))
      expect(chunk).toBeDefined();
    // Google answers it with x-gemini-service-tier: flex (the simulator too): priced in the flex lane.
    const flex = { serviceTier: ServiceTier.FLEX };
    await ai.models.generateContent({ model: MODEL, contents: 'half price, please', config: flex });
    await ai.models.countTokens({ model: MODEL, contents: 'free of charge' }); // not recorded
    await ai.models.embedContent({ model: EMBED, contents: ['one vector', 'another vector'] });
    const openai = new OpenAI({ apiKey: keys.bob, baseURL: `${stack.apiUrl}/v1`, maxRetries: 0 });
    await openai.chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'hello there' }],
    });
    const stream = await openai.chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'stream a chat' }],
      stream: true,
    });
    for await (const chunk of stream) expect(chunk).toBeDefined();
    await openai.chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'a flex chat' }],
      service_tier: 'flex',
    });
    await openai.embeddings.create({ model: EMBED, input: ['alpha', 'beta', 'gamma'] });
    // The batch finishes, and the interactive records are flushed (within a second).
    await eventually(async () => {
      const report = (await usage('/admin/v1/usage?groupBy=client')).body as UsageReport;
      return report.totals.requests === ALICE_REQUESTS + BOB_REQUESTS ? true : undefined;
    }, 60_000);
  }

  const rawRecords = () => sql.query<RawRecord[]>('SELECT * FROM usage_records ORDER BY id');

  it("records each request once, priced from its usageMetadata at its lane's price", async () => {
    const records = await rawRecords();
    expect(records.filter((r) => r.surface === 'batch' && r.batch_id === ids.batch)).toHaveLength(
      BATCH_ITEMS,
    );
    expect(records.filter((r) => r.client_id === ids.alice)).toHaveLength(ALICE_REQUESTS);
    expect(records.filter((r) => r.client_id === ids.bob && r.surface === 'openai')).toHaveLength(
      BOB_REQUESTS,
    );
    for (const r of records) {
      const price = SHIPPED_MODEL_PRICES[r.model]; // embeddings: $0.15 per million input tokens
      const tokens = {
        inputTokens: r.input_tokens,
        outputTokens: r.output_tokens,
        thinkingTokens: r.thinking_tokens,
        cachedTokens: r.cached_tokens,
      };
      expect(r.input_tokens).toBeGreaterThan(0);
      expect(Number(r.cost_micro_usd)).toBeCloseTo(costOfTokens(price, r.lane, tokens), 6);
      if (r.model === MODEL) expect(r.output_tokens).toBeGreaterThan(0);
    }
    const flexed = records.filter((r) => r.lane === 'flex');
    expect(flexed.map((r) => r.surface).sort()).toEqual(['native', 'openai']);
    expect(records.filter((r) => r.lane !== 'live')).toHaveLength(FLEX_REQUESTS);
  });

  it('matches what the simulator counted: requests and input tokens per project, and its charge', async () => {
    const records = await rawRecords();
    const stats = await stack.sim.stats();
    const report = (await usage('/admin/v1/usage?groupBy=project,model')).body as UsageReport;
    for (const [simId, name] of [
      ['sim-a', 'acct-a'],
      ['sim-b', 'acct-b'],
    ]) {
      const row = (model: string) => report.rows.find((r) => r.projectName === name && r.model === model);
      expect(row(MODEL)?.requests ?? 0).toBe(stats.projects[simId][MODEL].admitted);
      expect(row(MODEL)?.inputTokens ?? 0).toBe(stats.projects[simId][MODEL].admittedTokens);
      expect(row(EMBED)?.requests ?? 0).toBe(stats.projects[simId][EMBED].admitted);
    }
    // The simulator charges each request in whole micro-dollars, rounded up; keyfleet keeps the fraction.
    const generated = records.filter((r) => r.model === MODEL);
    const ours = generated.reduce((sum, r) => sum + Number(r.cost_micro_usd), 0);
    const charged = stats.spend['sim-a'].admittedMicros + stats.spend['sim-b'].admittedMicros;
    expect(charged).toBeGreaterThanOrEqual(ours);
    expect(charged - ours).toBeLessThan(generated.length);
    // Embeddings are priced too; a native answer carries no usage, so its input is keyfleet's estimate.
    expect(records.filter((r) => r.model === EMBED).every((r) => Number(r.cost_micro_usd) > 0)).toBe(true);
  });

  it('admin totals per client, per model and per day equal the sum of the per-request costs', async () => {
    const records = await rawRecords();
    const cost = (of: RawRecord[]) => of.reduce((sum, r) => sum + Number(r.cost_micro_usd), 0);
    for (const groupBy of ['client', 'model', 'day', 'lane', 'client,model,day']) {
      const report = (await usage(`/admin/v1/usage?groupBy=${groupBy}`)).body as UsageReport;
      expect(report.totals.requests).toBe(records.length);
      expect(report.totals.costMicroUsd).toBeCloseTo(cost(records), 6);
      expect(sumOf(report)).toEqual(roundedTotals(report.totals));
    }
    const lanes = (await usage('/admin/v1/usage?groupBy=lane')).body as UsageReport;
    expect(lanes.rows.map((row) => [row.lane, row.requests])).toEqual([
      ['flex', FLEX_REQUESTS],
      ['live', records.length - FLEX_REQUESTS],
    ]);
    const perClient = (await usage('/admin/v1/usage?groupBy=client')).body as UsageReport;
    const alice = perClient.rows.find((row) => row.clientId === ids.alice);
    expect(alice).toMatchObject({ clientName: 'alice', requests: ALICE_REQUESTS });
    expect(alice?.costMicroUsd).toBeCloseTo(cost(records.filter((r) => r.client_id === ids.alice)), 6);
    expect(perClient.from).toMatch(/-01T00:00:00\.000Z$/); // this month by default
  });

  it('CSV equals JSON (by ?format=csv and by Accept: text/csv)', async () => {
    const json = (await usage('/admin/v1/usage?groupBy=client,model')).body as UsageReport;
    const byQuery = await usage('/admin/v1/usage?groupBy=client,model&format=csv');
    const byAccept = await usage('/admin/v1/usage?groupBy=client,model', TEST_ADMIN_TOKEN, {
      accept: 'text/csv',
    });
    expect(byQuery.contentType).toMatch(/^text\/csv/);
    expect(byAccept.text).toBe(byQuery.text);
    const rows = parse<Record<string, unknown>>(byQuery.text, { columns: true, cast: true });
    expect(rows).toEqual(json.rows);
  });

  it('GET /v1/usage shows a client its own usage only, per batch too', async () => {
    const bob = await usage('/v1/usage?groupBy=model', keys.bob);
    expect(bob.status).toBe(200);
    const own = bob.body as UsageReport;
    const admins = (await usage('/admin/v1/usage?groupBy=client')).body as UsageReport;
    const { clientId: _id, clientName: _name, ...bobRow } = admins.rows.find((r) => r.clientId === ids.bob)!;
    expect(own.totals).toEqual(bobRow);
    expect(own.rows.map((row) => row.model).sort()).toEqual([MODEL, EMBED]);
    const batches = (await usage('/v1/usage?groupBy=batch', keys.alice)).body as UsageReport;
    expect(batches.rows.find((row) => row.batchId === ids.batch)?.requests).toBe(BATCH_ITEMS);
    expect(batches.rows.find((row) => row.batchId === null)?.requests).toBe(ALICE_REQUESTS - BATCH_ITEMS);
  });

  it('answers bad query parameters with 400 naming the field', async () => {
    const bad = async (path: string, token = TEST_ADMIN_TOKEN) => {
      const answer = await usage(path, token);
      expect(answer.status).toBe(400);
      return (answer.body as { error: { message: string } }).error.message;
    };
    expect(await bad('/admin/v1/usage?groupBy=colour')).toMatch(/^groupBy: expected .*"colour" is not one/);
    expect(await bad('/admin/v1/usage?from=yesterday')).toMatch(/^from: expected an ISO date/);
    expect(await bad('/admin/v1/usage?from=2026-12-02&to=2026-12-01')).toMatch(/^to: must be after from/);
    expect(await bad('/admin/v1/usage?format=xml')).toMatch(/^format: /);
    expect(await bad('/v1/usage?groupBy=client', keys.bob)).toMatch(/^groupBy: /);
    expect((await usage('/admin/v1/usage', keys.bob)).status).toBe(401);
  });

  it('the rollup job rolls up, and every report stays the same', async () => {
    const paths = [
      '/admin/v1/usage?groupBy=client,project,model,day,lane,batch',
      '/admin/v1/usage?groupBy=day',
    ];
    const before = await Promise.all(paths.map(async (path) => (await usage(path)).body));
    const unrolled = async () =>
      (
        await sql.query<Array<{ n: number }>>(
          'SELECT count(*)::int AS n FROM usage_records WHERE rolled_up = false',
        )
      )[0].n;
    expect(await unrolled()).toBe((await rawRecords()).length);
    await stack.worker!.get(UsageRollupJob).runOnce();
    expect(await unrolled()).toBe(0);
    const hourly = await sql.query<Array<{ n: number }>>('SELECT sum(requests)::int AS n FROM usage_hourly');
    expect(hourly[0].n).toBe((await rawRecords()).length); // the raw rows stay for their retention
    expect(await Promise.all(paths.map(async (path) => (await usage(path)).body))).toEqual(before);
  });
});

function sumOf(report: UsageReport): UsageSums {
  const sums = {
    requests: 0,
    inputTokens: 0,
    outputTokens: 0,
    thinkingTokens: 0,
    cachedTokens: 0,
    costMicroUsd: 0,
  };
  for (const row of report.rows)
    for (const key of Object.keys(sums) as Array<keyof UsageSums>) sums[key] += row[key];
  return roundedTotals(sums);
}

const roundedTotals = (sums: UsageSums): UsageSums => ({
  ...sums,
  costMicroUsd: Number(sums.costMicroUsd.toFixed(6)),
});
