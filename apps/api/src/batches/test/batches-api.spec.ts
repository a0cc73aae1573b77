import type { NestExpressApplication } from '@nestjs/platform-express';
import type { DataSource } from 'typeorm';
import { createTestDatabase, TEST_ADMIN_TOKEN, testConfig, type TestDatabase } from '@keyfleet/testing';
import { createApiApp } from '../../create-api-app';

const MODEL = 'gemini-2.5-flash';
const request = (text: string) => ({ contents: [{ role: 'user', parts: [{ text }] }] });
const ndjson = (entries: unknown[]) => entries.map((entry) => JSON.stringify(entry)).join('\n');

interface Answer {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers of many shapes
  body: any;
  text: string;
  contentType: string | null;
}

describe('/v1/batches over HTTP (real api, Postgres, Redis)', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let app: NestExpressApplication;
  let url: string;
  let clientKey: string;
  let otherClientKey: string;

  async function http(
    path: string,
    init: {
      method?: string;
      key?: string;
      json?: unknown;
      body?: string;
      headers?: Record<string, string>;
    } = {},
  ): Promise<Answer> {
    const headers: Record<string, string> = { ...init.headers };
    if (init.key) headers['authorization'] = `Bearer ${init.key}`;
    if (init.json !== undefined) headers['content-type'] ??= 'application/json';
    const response = await fetch(`${url}${path}`, {
      method: init.method ?? (init.json !== undefined || init.body !== undefined ? 'POST' : 'GET'),
      headers,
      body: init.json !== undefined ? JSON.stringify(init.json) : init.body,
    });
    const text = await response.text();
    const contentType = response.headers.get('content-type');
    return {
      status: response.status,
      text,
      contentType,
      body: contentType?.includes('json') && text ? JSON.parse(text) : text,
    };
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers of many shapes
  async function adminPost(path: string, json: unknown): Promise<any> {
    const answer = await http(`/admin/v1${path}`, {
      json,
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
    });
    if (answer.status >= 300) throw new Error(`${path} → ${answer.status}: ${answer.text}`);
    return answer.body;
  }

  function kfKey(value: unknown): string {
    const text = JSON.stringify(value);
    const match = /"(kf_[^"]+)"/.exec(text);
    if (!match) throw new Error(`no client key in ${text}`);
    return match[1];
  }

  async function rowCounts(): Promise<{ batches: number; items: number }> {
    const [row]: Array<{ batches: number; items: number }> = await dataSource.query(
      'SELECT (SELECT count(*)::int FROM batches) AS batches, (SELECT count(*)::int FROM batch_items) AS items',
    );
    return row;
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    dataSource = await db.dataSource();
    app = await createApiApp(
      testConfig({ DATABASE_URL: db.url, KF_MAX_BATCH_ITEMS: '5', KF_LOG_LEVEL: 'error' }),
    );
    await app.listen(0, '127.0.0.1');
    url = await app.getUrl();
    const project = await adminPost('/projects', {
      name: 'p1',
      limits: { [MODEL]: { rpm: 10, tpm: 1000, rpd: 100 } },
    });
    await adminPost(`/projects/${project.id}/keys`, { secret: 'AQ.AApiSpecKey000000001' });
    clientKey = kfKey(
      await adminPost('/clients', { name: 'team-a', allowedIps: ['127.0.0.1/32', '::1/128'] }),
    );
    otherClientKey = kfKey(
      await adminPost('/clients', { name: 'team-b', allowedIps: ['127.0.0.1/32', '::1/128'] }),
    );
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  describe('rejects bad submissions and writes nothing', () => {
    const cases: Array<[string, () => Promise<Answer>, number, RegExp]> = [
      [
        'no client key',
        () =>
          http('/v1/batches', { json: { model: MODEL, requests: [{ key: 'a', request: request('x') }] } }),
        401,
        /./,
      ],
      [
        'an unknown model',
        () =>
          http('/v1/batches', {
            key: clientKey,
            json: { model: 'gemini-9-ultra', requests: [{ key: 'a', request: request('x') }] },
          }),
        400,
        /^model: unknown model "gemini-9-ultra"/,
      ],
      [
        'an empty batch',
        () => http('/v1/batches', { key: clientKey, json: { model: MODEL, requests: [] } }),
        400,
        /at least one request/,
      ],
      [
        'too many requests',
        () =>
          http('/v1/batches', {
            key: clientKey,
            json: {
              model: MODEL,
              requests: Array.from({ length: 6 }, (_, i) => ({ key: `k${i}`, request: request('x') })),
            },
          }),
        413,
        /at most 5/,
      ],
      [
        'malformed JSON',
        () =>
          http('/v1/batches', {
            key: clientKey,
            body: '{"model": "gemini-2.5-flash", "requests": [',
            headers: { 'content-type': 'application/json' },
          }),
        400,
        /./,
      ],
      [
        'a bad JSON item',
        () =>
          http('/v1/batches', {
            key: clientKey,
            json: {
              model: MODEL,
              requests: [
                { key: 'a', request: request('x') },
                { key: 7, request: request('y') },
              ],
            },
          }),
        400,
        /^requests\[1\]\.key: must be a non-empty string/,
      ],
      [
        'a bad NDJSON line',
        () =>
          http(`/v1/batches?model=${MODEL}`, {
            key: clientKey,
            body: `${ndjson([
              { key: 'a', request: request('x') },
              { key: 'b', request: request('y') },
            ])}\n{"key": "c", "request": {"contents": "nope"}}`,
            headers: { 'content-type': 'application/x-ndjson' },
          }),
        400,
        /^line 3: request\.contents: must be a non-empty array/,
      ],
      [
        'an NDJSON line that is not JSON',
        () =>
          http(`/v1/batches?model=${MODEL}`, {
            key: clientKey,
            body: `${ndjson([{ key: 'a', request: request('x') }])}\nnot json`,
            headers: { 'content-type': 'application/x-ndjson' },
          }),
        400,
        /^line 2: not valid JSON/,
      ],
      [
        'NDJSON without a model',
        () =>
          http('/v1/batches', {
            key: clientKey,
            body: ndjson([{ key: 'a', request: request('x') }]),
            headers: { 'content-type': 'application/x-ndjson' },
          }),
        400,
        /^model: is required/,
      ],
      [
        'a duplicate key',
        () =>
          http('/v1/batches', {
            key: clientKey,
            json: {
              model: MODEL,
              requests: [
                { key: 'a', request: request('x') },
                { key: 'a', request: request('y') },
              ],
            },
          }),
        400,
        /^requests\[1\]\.key: duplicate key "a"/,
      ],
      [
        'an unknown lane',
        () =>
          http('/v1/batches', {
            key: clientKey,
            json: { model: MODEL, lane: 'cheap', requests: [{ key: 'a', request: request('x') }] },
          }),
        400,
        /^lane: must be one of live, economy, auto/,
      ],
      [
        'a deadline that is not a time',
        () =>
          http('/v1/batches', {
            key: clientKey,
            json: { model: MODEL, deadline: 'tomorrow', requests: [{ key: 'a', request: request('x') }] },
          }),
        400,
        /^deadline: must be an ISO 8601 time/,
      ],
      [
        'a deadline in the past (NDJSON)',
        () =>
          http(`/v1/batches?model=${MODEL}&lane=auto&deadline=2020-01-01T00:00:00Z`, {
            key: clientKey,
            body: ndjson([{ key: 'a', request: request('x') }]),
            headers: { 'content-type': 'application/x-ndjson' },
          }),
        400,
        /^deadline: must be in the future/,
      ],
    ];

    it.each(cases)('%s', async (_name, send, status, message) => {
      const before = await rowCounts();
      const answer = await send();
      expect(answer.status).toBe(status);
      expect(answer.body.error).toMatchObject({ code: status, message: expect.stringMatching(message) });
      expect(await rowCounts()).toEqual(before);
    });
  });

  it('accepts JSON (202), shows it to its owner only, lists it, streams no results yet, cancels it', async () => {
    const created = await http('/v1/batches', {
      key: clientKey,
      json: {
        model: `models/${MODEL}`,
        displayName: 'first',
        priority: 5,
        requests: [
          { key: 'a', request: request('x') },
          { key: 'b', request: request('y') },
        ],
      },
    });
    expect(created.status).toBe(202);
    expect(created.body).toEqual({
      id: expect.any(String),
      model: MODEL,
      displayName: 'first',
      priority: 5,
      lane: 'live',
      laneChosen: 'live',
      laneReason: null,
      estimatedSavingUsd: null,
      deadline: null,
      status: 'queued',
      counts: { total: 2, pending: 2, running: 0, succeeded: 0, failed: 0, cancelled: 0 },
      createdAt: expect.any(String),
      startedAt: null,
      completedAt: null,
      etaSeconds: null,
    });
    const id = created.body.id as string;
    expect((await http(`/v1/batches/${id}`, { key: clientKey })).body).toMatchObject({
      id,
      status: 'queued',
    });
    expect((await http(`/v1/batches/${id}`, { key: otherClientKey })).status).toBe(404);
    expect((await http('/v1/batches/not-a-uuid', { key: clientKey })).status).toBe(404);
    expect((await http(`/v1/batches/${id}/results`, { key: otherClientKey })).status).toBe(404);

    const results = await http(`/v1/batches/${id}/results`, { key: clientKey });
    expect(results.status).toBe(200);
    expect(results.contentType).toContain('application/x-ndjson');
    expect(results.text).toBe('');

    const cancelled = await http(`/v1/batches/${id}/cancel`, { key: clientKey, method: 'POST' });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', counts: { pending: 0, cancelled: 2 } });
    expect((await http(`/v1/batches/${id}/cancel`, { key: otherClientKey, method: 'POST' })).status).toBe(
      404,
    );
  });

  it('auto picks economy for a far deadline and live for a near one, and says why and what it saves', async () => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a JSON answer
    const submit = async (hours: number): Promise<any> =>
      (
        await http('/v1/batches', {
          key: clientKey,
          json: {
            model: MODEL,
            lane: 'auto',
            deadline: new Date(Date.now() + hours * 3_600_000).toISOString(),
            requests: [{ key: 'a', request: request('x') }],
          },
        })
      ).body;
    const far = await submit(48);
    expect(far).toMatchObject({
      lane: 'auto',
      laneChosen: 'economy',
      estimatedSavingUsd: expect.any(Number),
    });
    expect(far.estimatedSavingUsd).toBeGreaterThan(0);
    expect(far.laneReason).toMatch(/leaves Batch Mode's 24 h turnaround/);
    const near = await submit(2);
    expect(near).toMatchObject({ lane: 'auto', laneChosen: 'live', estimatedSavingUsd: null });
    expect(near.laneReason).toMatch(/sooner than Batch Mode's 24 h turnaround/);
  });

  it('checks an economy batch against the budget at half price: refused live, accepted economy', async () => {
    const budgeted = kfKey(
      await adminPost('/clients', {
        name: 'team-budget',
        allowedIps: ['127.0.0.1/32', '::1/128'],
        budget: { dailyUsd: 0.01 },
      }),
    );
    // 5 items, each estimated at 1,024 output tokens ($0.00256 live): $0.0128 live, $0.0064 economy.
    const submit = (lane: string) =>
      http('/v1/batches', {
        key: budgeted,
        json: {
          model: MODEL,
          lane,
          requests: Array.from({ length: 5 }, (_, i) => ({ key: `k${i}`, request: request('x') })),
        },
      });
    const live = await submit('live');
    expect(live.status).toBe(400);
    expect(live.body.error.message).toMatch(/estimated cost \(\$0\.01\d+\) passes/);
    const economy = await submit('economy');
    expect(economy.status).toBe(202);
    expect(economy.body).toMatchObject({ lane: 'economy', laneChosen: 'economy' });
  });

  it('estimates etaSeconds from the pool capacity and what the fair scheduler sends before it', async () => {
    const slowModel = 'gemini-2.0-flash';
    const project = await adminPost('/projects', {
      name: 'p-eta',
      limits: { [slowModel]: { rpm: 2, tpm: 100_000, rpd: 1000 } },
    });
    await adminPost(`/projects/${project.id}/keys`, { secret: 'AQ.AApiSpecKeyEta000001' });
    const submit = async (priority = 0) =>
      (
        await http('/v1/batches', {
          key: clientKey,
          json: {
            model: slowModel,
            priority,
            requests: ['a', 'b', 'c', 'd', 'e'].map((key) => ({ key, request: request(key) })),
          },
        })
      ).body.id as string;
    const eta = async (id: string): Promise<number | null> =>
      (await http(`/v1/batches/${id}`, { key: clientKey })).body.etaSeconds as number | null;
    const first = await submit();
    // No worker runs: 2 requests fit the window now, the rest go at 2 RPM (30 s each).
    expect(await eta(first)).toBe((5 - 2) * 30);
    // A second batch of the same client and priority shares the client's turns with the first.
    const second = await submit();
    expect(await eta(first)).toBe((10 - 2) * 30);
    expect(await eta(second)).toBe((10 - 2) * 30);
    // A batch of a higher priority goes first: the others wait for it too.
    const urgent = await submit(1);
    expect(await eta(urgent)).toBe((5 - 2) * 30);
    expect(await eta(first)).toBe((15 - 2) * 30);
    // Another client, of weight 3: it takes three turns to each of ours while it has work.
    const heavy = await adminPost('/clients', {
      name: 'heavy-eta',
      allowedIps: ['127.0.0.0/8', '::1/128'],
      weight: 3,
    });
    const big = await http('/v1/batches', {
      key: heavy.key,
      json: {
        model: slowModel,
        requests: Array.from({ length: 5 }, (_, i) => ({ key: `h${i}`, request: request('h') })),
      },
    });
    expect(big.status).toBe(202);
    expect(await eta(first)).toBe((15 + 5 - 2) * 30);
    // And the heavy one waits for a third as many of ours as it has: 5 + 5/3, rounded up.
    expect((await http(`/v1/batches/${big.body.id}`, { key: heavy.key })).body.etaSeconds).toBe((7 - 2) * 30);
  });

  it('accepts NDJSON with ?model= and ?displayName=, and an Idempotency-Key returns the first batch', async () => {
    const body = ndjson([
      { key: 'n1', request: request('x') },
      { key: 'n2', request: request('y') },
      { key: 'n3', request: request('z') },
    ]);
    const send = () =>
      http(`/v1/batches?model=${MODEL}&displayName=nightly`, {
        key: clientKey,
        body,
        headers: { 'content-type': 'application/x-ndjson', 'idempotency-key': 'upload-1' },
      });
    const first = await send();
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ displayName: 'nightly', counts: { total: 3 } });
    const second = await send();
    expect(second.body.id).toBe(first.body.id);
    const [{ n }] = await dataSource.query(
      'SELECT count(*)::int AS n FROM batches WHERE idempotency_key = $1',
      ['upload-1'],
    );
    expect(n).toBe(1);
  });

  it('lists newest first with pageSize and pageToken', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const created = await http('/v1/batches', {
        key: otherClientKey,
        json: { model: MODEL, requests: [{ key: 'a', request: request(`${i}`) }] },
      });
      ids.push(created.body.id as string);
    }
    const first = await http('/v1/batches?pageSize=2', { key: otherClientKey });
    const listed = first.body.batches as Array<{ id: string }>;
    expect(listed.map((batch) => batch.id)).toEqual([ids[2], ids[1]]);
    expect(first.body.nextPageToken).toEqual(expect.any(String));
    const second = await http(`/v1/batches?pageSize=2&pageToken=${first.body.nextPageToken}`, {
      key: otherClientKey,
    });
    expect(second.body).toEqual({ batches: [expect.objectContaining({ id: ids[0] })], nextPageToken: null });
    expect((await http('/v1/batches?pageSize=abc', { key: otherClientKey })).status).toBe(400);
    expect((await http('/v1/batches?pageToken=bogus', { key: otherClientKey })).status).toBe(400);
  });
});
