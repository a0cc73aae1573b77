// A client stopped at its daily budget on the interactive routes: 429 KeyfleetClientBudget with RetryInfo
// until UTC midnight, through both SDKs; what is spent never passes the limit, even for a
// burst of concurrent calls; raising the budget lets calls through again.
import { ApiError, GoogleGenAI } from '@google/genai';
import OpenAI, { RateLimitError } from 'openai';
import type { Redis } from 'ioredis';
import { ClientSpend, USAGE_FLUSH_MS } from '@keyfleet/accounting';
import { KEYFLEET_CONFIG, type KeyfleetConfig } from '@keyfleet/config';
import { REDIS_CLIENT } from '@keyfleet/queue';
import { bootGateway, FLASH, jestFetch, simProject, type Gateway } from './gateway-harness';

const KEY = 'AQ.ClientBudgetKey00001';
const BIG = { rpm: 10_000, tpm: 10_000_000, rpd: 1_000_000 };
const DAILY_USD = 0.01;
const PROMPT = 'what does this cost? '.repeat(40);

interface QuotaBody {
  error: { code: number; status: string; message: string; details: Array<Record<string, unknown>> };
}

const secondsToUtcMidnight = () => {
  const now = new Date();
  return (Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1) - now.getTime()) / 1000;
};

describe('a client budget on interactive calls', () => {
  let gw: Gateway;
  let clientId: string;
  let clientKey: string;
  let ai: GoogleGenAI;
  let openai: OpenAI;
  /** What one call cost, about (from the first test). */
  let perCallMicros = 0;

  beforeAll(async () => {
    gw = await bootGateway({
      projects: [{ ...simProject('sim-b', { [FLASH]: BIG }, [KEY]), spendLimitUsd: 100 }],
    });
    await gw.addProject('budget-pool', { [FLASH]: BIG }, [KEY]);
    const created = await gw.api.admin<{ key: string; client: { id: string; budget: unknown } }>(
      'POST',
      '/clients',
      { name: 'budgeted', allowedIps: ['127.0.0.1/32', '::1/128'], budget: { dailyUsd: DAILY_USD } },
    );
    expect(created.status).toBe(201);
    expect(created.body.client.budget).toEqual({ dailyUsd: DAILY_USD });
    clientId = created.body.client.id;
    clientKey = created.body.key;
    ai = new GoogleGenAI({
      apiKey: clientKey,
      httpOptions: { baseUrl: gw.url, apiVersion: 'v1beta', fetch: jestFetch },
    });
    openai = new OpenAI({ apiKey: clientKey, baseURL: `${gw.url}/v1`, maxRetries: 0 });
  }, 60_000);
  afterAll(() => gw?.close());

  const charged = async () => (await gw.sim.stats()).spend['sim-b']?.admittedMicros ?? 0;
  /** What accounting recorded for the client today (after the recorder's buffer is written). */
  const accounted = async () => {
    await new Promise((resolve) => setTimeout(resolve, USAGE_FLUSH_MS + 300));
    const now = new Date();
    const midnight = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
    return gw.api.app.get(ClientSpend).spentMicroUsd(clientId, midnight, now);
  };
  /**
   * The budget counts what accounting records; the simulator rounds each call's charge up to a whole
   * micro-dollar, so its total may be above accounting's by less than one micro-dollar a call.
   */
  const expectWithin = async (limitMicros: number) => {
    expect(await accounted()).toBeLessThanOrEqual(limitMicros);
    const stats = await gw.sim.stats();
    expect(stats.spend['sim-b']?.admittedMicros ?? 0).toBeLessThanOrEqual(
      limitMicros + stats.totals.admitted,
    );
  };
  const generate = (text: string) =>
    ai.models.generateContent({ model: FLASH, contents: text }).then(
      () => 'ok' as const,
      (error: unknown) => error,
    );

  it('refuses the call that would pass the daily budget with a 429 naming it, RetryInfo until midnight', async () => {
    let answered = 0;
    let refused: unknown;
    for (let i = 0; i < 200 && refused === undefined; i++) {
      const outcome = await generate(`${PROMPT} ${i}`);
      if (outcome === 'ok') answered++;
      else refused = outcome;
    }
    expect(answered).toBeGreaterThan(0);
    perCallMicros = (await charged()) / answered;
    expect(refused).toBeInstanceOf(ApiError);
    const error = refused as ApiError;
    expect(error.status).toBe(429);
    expect(error.message).toContain('KeyfleetClientBudget');
    const body = JSON.parse(error.message) as QuotaBody;
    expect(body.error.status).toBe('RESOURCE_EXHAUSTED');
    const failure = body.error.details.find((d) => String(d['@type']).endsWith('QuotaFailure')) as {
      violations: Array<{ quotaId: string; quotaDimensions: Record<string, string> }>;
    };
    expect(failure.violations[0].quotaId).toBe('KeyfleetClientBudget');
    expect(failure.violations[0].quotaDimensions.period).toBe('day');
    const retry = body.error.details.find((d) => String(d['@type']).endsWith('RetryInfo'));
    const retrySeconds = Number.parseInt(String(retry?.retryDelay), 10);
    expect(Math.abs(retrySeconds - secondsToUtcMidnight())).toBeLessThan(5);
    // What was spent stayed within the budget: the refused call never left.
    await expectWithin(DAILY_USD * 1e6);

    const raw = await fetch(`${gw.url}/v1beta/models/${FLASH}:generateContent`, {
      method: 'POST',
      headers: { 'x-goog-api-key': clientKey, 'content-type': 'application/json' },
      body: JSON.stringify({ contents: [{ parts: [{ text: PROMPT }] }] }),
    });
    expect(raw.status).toBe(429);
    expect(Math.abs(Number(raw.headers.get('retry-after')) - retrySeconds)).toBeLessThanOrEqual(2);
  }, 60_000);

  it('through the openai client: RateLimitError whose message names KeyfleetClientBudget', async () => {
    const refused: unknown = await openai.chat.completions
      .create({ model: FLASH, messages: [{ role: 'user', content: PROMPT }] })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(OpenAI.RateLimitError);
    expect((refused as RateLimitError).message).toContain('KeyfleetClientBudget');
    expect(Number((refused as RateLimitError).headers.get('retry-after'))).toBeGreaterThan(0);
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    expect(metrics).toMatch(
      /keyfleet_client_budget_refusals_total\{model="gemini-2.5-flash",period="day",kind="interactive",service="api"\} [1-9]/,
    );
  });

  it('after Redis loses the counters, they are seeded again from accounting in Postgres: still refused', async () => {
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // the usage recorder's buffer is written
    const redis = gw.api.app.get<Redis>(REDIS_CLIENT);
    const { queuePrefix } = gw.api.app.get<KeyfleetConfig>(KEYFLEET_CONFIG);
    const keys = await redis.keys(`${queuePrefix}:budget:*`);
    expect(keys.length).toBeGreaterThan(0);
    await redis.del(...keys);
    // Seeded with what accounting recorded (each call rounded up to a whole micro-dollar before): at
    // most a call or two fits in the difference, not the day's budget again.
    let passed = 0;
    let refused: unknown;
    while (refused === undefined && passed < 10) {
      const outcome = await generate(`${PROMPT} after the loss ${passed}`);
      if (outcome === 'ok') passed++;
      else refused = outcome;
    }
    expect(passed).toBeLessThanOrEqual(2);
    expect((refused as ApiError).status).toBe(429);
    expect((refused as ApiError).message).toContain('KeyfleetClientBudget');
    await expectWithin(DAILY_USD * 1e6);
  });

  it('a raised budget lets calls through at once; a concurrent burst never passes the new limit', async () => {
    const before = await accounted();
    // Room for about ten more calls.
    const raisedUsd = Math.round(before + 10 * perCallMicros) / 1e6;
    const patched = await gw.api.admin<{ budget: unknown }>('PATCH', `/clients/${clientId}`, {
      budget: { dailyUsd: raisedUsd, models: { [FLASH]: { monthlyUsd: 5 } } },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.budget).toEqual({ dailyUsd: raisedUsd, models: { [FLASH]: { monthlyUsd: 5 } } });
    const outcomes = await Promise.all(
      Array.from({ length: 40 }, (_, i) => generate(`${PROMPT} burst ${i}`)),
    );
    const ok = outcomes.filter((outcome) => outcome === 'ok').length;
    expect(ok).toBeGreaterThan(0);
    expect(ok).toBeLessThan(40);
    expect(outcomes.every((o) => o === 'ok' || (o as ApiError).status === 429)).toBe(true);
    await expectWithin(Math.round(raisedUsd * 1e6));
  }, 60_000);

  it('rejects a malformed budget with a 400 naming the field', async () => {
    const bad = await gw.api.admin<{ error: { message: string } }>('PATCH', `/clients/${clientId}`, {
      budget: { dailyUsd: -1 },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('budget.dailyUsd');
  });
});
