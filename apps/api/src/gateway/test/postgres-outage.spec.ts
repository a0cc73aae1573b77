// A Postgres outage seen by the api (a TcpProxy between the api and Postgres is cut; the shared server
// other test files use keeps running): routes that need Postgres answer 503 UNAVAILABLE with
// Retry-After, interactive calls of clients seen recently keep working from the caches, a key found dead
// meanwhile is written out of service once Postgres is back. The caches' time is a ManualClock.
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { POOL_CACHE_PUSHED_MS, RETIREMENT_RETRY_MS } from '@keyfleet/registry';
import {
  createTestDatabase,
  ManualClock,
  spawnSimulator,
  TcpProxy,
  TEST_ADMIN_TOKEN,
  type SpawnedSimulator,
  type TestDatabase,
} from '@keyfleet/testing';
import { bootApi, type ApiHarness } from '../../admin/test/api-harness';
import { FLASH, jestFetch, simProject } from './gateway-harness';

const LIMITS = { [FLASH]: { rpm: 1000, tpm: 1_000_000, rpd: 100_000 } };
const GOOD = 'AQ.Ab8OutageGoodKey00000001';
const DOOMED = 'AQ.Ab8OutageBadKey000000002'; // suspended at the sim during the outage

describe('a Postgres outage, seen by the api', () => {
  let db: TestDatabase;
  let proxy: TcpProxy;
  let sim: SpawnedSimulator;
  let api: ApiHarness;
  const clock = new ManualClock();
  let clientKey: string;
  let unseenClientKey: string;
  let batchId: string;
  let badKeyId: string;

  const asClient = (key: string) => ({ authorization: `Bearer ${key}` });
  const gemini = (apiKey: string) =>
    new GoogleGenAI({ apiKey, httpOptions: { baseUrl: api.url, apiVersion: 'v1beta', fetch: jestFetch } });
  const openai = (apiKey: string) => new OpenAI({ apiKey, baseURL: `${api.url}/v1`, maxRetries: 0 });
  const raw = (method: string, path: string, headers: Record<string, string>, body?: string) =>
    fetch(`${api.url}${path}`, { method, headers: { 'content-type': 'application/json', ...headers }, body });

  beforeAll(async () => {
    db = await createTestDatabase();
    const through = await TcpProxy.forUrl(db.url);
    proxy = through.proxy;
    sim = await spawnSimulator({
      projects: [simProject('sim-p', LIMITS, [GOOD, DOOMED])],
    });
    api = await bootApi(
      { DATABASE_URL: through.url, GEMINI_BASE_URL: sim.url, KF_LOG_LEVEL: 'error' },
      db,
      clock,
    );
    const project = await api.admin<{ id: string }>('POST', '/projects', { name: 'p', limits: LIMITS });
    await api.admin('POST', `/projects/${project.body.id}/keys`, { secret: GOOD });
    badKeyId = (
      await api.admin<{ id: string }>('POST', `/projects/${project.body.id}/keys`, { secret: DOOMED })
    ).body.id;
    const allowed = { allowedIps: ['127.0.0.1/32', '::1/128'] };
    clientKey = (await api.admin<{ key: string }>('POST', '/clients', { name: 'seen', ...allowed })).body.key;
    unseenClientKey = (await api.admin<{ key: string }>('POST', '/clients', { name: 'unseen', ...allowed }))
      .body.key;
    const batch = await raw(
      'POST',
      '/v1/batches',
      asClient(clientKey),
      JSON.stringify({
        model: FLASH,
        requests: [{ key: 'a', request: { contents: [{ parts: [{ text: 'x' }] }] } }],
      }),
    );
    batchId = ((await batch.json()) as { id: string }).id;
  }, 60_000);
  afterAll(async () => {
    await api?.close();
    await proxy?.close();
    await sim?.stop();
    await db?.drop();
  });

  it('before: the client calls, on both keys', async () => {
    for (const text of ['warm up', 'on the other key']) {
      const answer = await gemini(clientKey).models.generateContent({ model: FLASH, contents: text });
      expect(answer.text).toMatch(/^sim:/);
    }
    const [{ status }] = await db
      .dataSource()
      .then((sql) => sql.query('SELECT status FROM upstream_keys WHERE id = $1', [badKeyId]));
    expect(status).toBe('active');
  });

  describe('while Postgres is unreachable', () => {
    beforeAll(async () => {
      proxy.cut();
      clock.advance(POOL_CACHE_PUSHED_MS + 500); // every cache has expired: what follows is served stale
      await sim.patchKey(DOOMED, { status: 'suspended' }); // Google now answers 403 for one of the keys
    });

    it.each([
      ['GET', '/v1/batches', 'client'],
      ['GET', '/v1/batches/:id', 'client'],
      ['GET', '/v1/batches/:id/results', 'client'],
      ['POST', '/v1/batches/:id/cancel', 'client'],
      ['POST', '/v1/batches', 'client'],
      ['GET', '/admin/v1/projects', 'admin'],
      ['POST', '/admin/v1/clients', 'admin'],
      ['GET', '/admin/v1/audit', 'admin'],
    ])('%s %s answers 503 UNAVAILABLE with Retry-After', async (method, path, who) => {
      const headers = who === 'admin' ? asClient(TEST_ADMIN_TOKEN) : asClient(clientKey);
      const body =
        method !== 'POST'
          ? undefined
          : path === '/v1/batches'
            ? JSON.stringify({
                model: FLASH,
                requests: [{ key: 'b', request: { contents: [{ parts: [] }] } }],
              })
            : JSON.stringify({ name: 'new', allowedIps: ['10.0.0.0/8'] });
      const response = await raw(method, path.replace(':id', batchId), headers, body);
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('5');
      expect(((await response.json()) as { error: object }).error).toMatchObject({
        code: 503,
        status: 'UNAVAILABLE',
        message: expect.stringContaining('cannot reach its database'),
      });
    });

    it('answers the native SDK of a client seen recently, and leaves a key found dead meanwhile out', async () => {
      const ai = gemini(clientKey);
      const before = (await sim.stats()).keys[DOOMED.slice(-4)]?.requests ?? 0;
      for (let i = 0; i < 4; i++) {
        const answer = await ai.models.generateContent({ model: FLASH, contents: `during ${i}` });
        expect(answer.text).toMatch(/^sim:/);
      }
      // Round-robin over the two keys: the suspended one was tried once, then never again.
      expect((await sim.stats()).keys[DOOMED.slice(-4)]?.requests ?? 0).toBe(before + 1);
      // Postgres (read here directly, not through the cut proxy) has not heard of it yet.
      const sql = await db.dataSource();
      expect(await sql.query('SELECT status FROM upstream_keys WHERE id = $1', [badKeyId])).toEqual([
        { status: 'active' },
      ]);
    });

    it('answers the OpenAI SDK of a client seen recently', async () => {
      const completion = await openai(clientKey).chat.completions.create({
        model: FLASH,
        messages: [{ role: 'user', content: 'during the outage' }],
      });
      expect(completion.choices[0].message.content).toMatch(/^sim:/);
    });

    it('answers a client not seen before 503 with Retry-After (not 401: its key may be valid)', async () => {
      const response = await raw(
        'POST',
        `/v1beta/models/${FLASH}:generateContent`,
        { 'x-goog-api-key': unseenClientKey },
        JSON.stringify({ contents: [{ parts: [{ text: 'x' }] }] }),
      );
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('5');
      const chat = await raw(
        'POST',
        '/v1/chat/completions',
        asClient(unseenClientKey),
        JSON.stringify({ model: FLASH, messages: [{ role: 'user', content: 'x' }] }),
      );
      expect(chat.status).toBe(503);
      expect(((await chat.json()) as { error: object }).error).toMatchObject({
        type: 'server_error',
        code: 'unavailable',
      });
    });

    it('still reports the quota view: it reads Redis and the pool as last read', async () => {
      expect((await raw('GET', '/admin/v1/quota', asClient(TEST_ADMIN_TOKEN))).status).toBe(200);
    });

    it('says so on /readyz', async () => {
      expect((await fetch(`${api.url}/readyz`)).status).toBe(503);
    });
  });

  describe('once Postgres is back', () => {
    beforeAll(() => proxy.restore());

    it('writes the key found dead during the outage out of service, audited', async () => {
      const sql = await db.dataSource();
      const statusOf = async () => {
        const rows = await sql.query<Array<{ status: string }>>(
          'SELECT status FROM upstream_keys WHERE id = $1',
          [badKeyId],
        );
        return rows[0].status;
      };
      // The retry runs on the api's timer: move its clock, then wait for the write it starts.
      for (let round = 0; round < 50 && (await statusOf()) !== 'disabled'; round++) {
        clock.advance(RETIREMENT_RETRY_MS);
        await new Promise((resolve) => setImmediate(resolve));
        await sql.query('SELECT pg_sleep(0.05)');
      }
      expect(await statusOf()).toBe('disabled');
      const audit = await sql.query(
        `SELECT action, actor FROM audit_log WHERE target_id = $1 AND action = 'upstream_key.disabled'`,
        [badKeyId],
      );
      expect(audit).toEqual([{ action: 'upstream_key.disabled', actor: 'api' }]);
    });

    it('serves every route again', async () => {
      clock.advance(POOL_CACHE_PUSHED_MS + 500);
      expect((await raw('GET', `/v1/batches/${batchId}`, asClient(clientKey))).status).toBe(200);
      expect((await raw('GET', '/admin/v1/projects', asClient(TEST_ADMIN_TOKEN))).status).toBe(200);
      const answer = await gemini(unseenClientKey).models.generateContent({
        model: FLASH,
        contents: 'after',
      });
      expect(answer.text).toMatch(/^sim:/);
    });
  });
});
