// Every line api, worker and rotator print is JSON: at start, and while Redis, then Postgres, cannot
// be reached (TcpProxy cuts between the processes and the shared servers, which keep running). No
// "[ioredis] Unhandled error event" stack, no raw BullMQ error.
import { randomBytes } from 'node:crypto';
import {
  createTestDatabase,
  startApp,
  stopApp,
  TcpProxy,
  TEST_REDIS_URL,
  uniquePrefix,
  type RunningProcess,
  type TestDatabase,
} from '@keyfleet/testing';

const ADMIN = `admin-${randomBytes(8).toString('hex')}`;
// google-auth-library's own process warnings in the rotator (its credentials loading) are issue 16's:
// they are the only lines let through.
const GOOGLE_AUTH_WARNING = /^\(node:\d+\) MetadataLookupWarning|^\(Use `node --trace-warnings/;

interface Watched {
  proc: RunningProcess;
  lines: string[];
}

function watch(proc: RunningProcess): Watched {
  const lines: string[] = [];
  const keep = (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean));
  proc.child.stdout?.on('data', keep);
  proc.child.stderr?.on('data', keep);
  return { proc, lines };
}

/** Resolves with the first line (from `from` on) matching, or fails with the process' output. */
async function lineMatching(
  watched: Watched,
  pattern: RegExp,
  from = 0,
  timeoutMs = 60_000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = watched.lines.slice(from).find((line) => pattern.test(line));
    if (found) return found;
    if (Date.now() > deadline || watched.proc.child.exitCode !== null)
      throw new Error(`${watched.proc.name}: no line matching ${pattern}:\n${watched.lines.join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const portIn = (line: string) => Number(/port (\d+)|:(\d+)"/.exec(line)?.slice(1).find(Boolean));

describe('process logs are JSON, also while Redis and Postgres are unreachable', () => {
  let db: TestDatabase;
  let redis: TcpProxy;
  let postgres: TcpProxy;
  let api: Watched;
  let worker: Watched;
  let rotator: Watched;
  let apiUrl: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    const redisThrough = await TcpProxy.forUrl(TEST_REDIS_URL);
    const postgresThrough = await TcpProxy.forUrl(db.url);
    redis = redisThrough.proxy;
    postgres = postgresThrough.proxy;
    const env = {
      DATABASE_URL: postgresThrough.url,
      REDIS_URL: redisThrough.url,
      KF_ADMIN_TOKEN: ADMIN,
      KF_MASTER_KEY: randomBytes(32).toString('base64'),
      KF_QUEUE_PREFIX: uniquePrefix('kf-logs'),
      KF_LOG_LEVEL: 'info',
      KF_RUN_MIGRATIONS: 'false',
      PORT: '0',
      KF_HEALTH_PORT: '0',
    };
    api = watch(startApp('api', env));
    apiUrl = `http://127.0.0.1:${portIn(await lineMatching(api, /keyfleet api listening/))}`;
    // A served model, so the worker runs a BullMQ worker of its own too.
    const headers = { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' };
    const project = (await (
      await fetch(`${apiUrl}/admin/v1/projects`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ name: 'p', limits: { 'gemini-2.5-flash': { rpm: 10, tpm: 1000, rpd: 100 } } }),
      })
    ).json()) as { id: string };
    await fetch(`${apiUrl}/admin/v1/projects/${project.id}/keys`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ secret: 'AIzaSyProcessLogsKey000001' }),
    });
    worker = watch(startApp('worker', env));
    rotator = watch(startApp('rotator', env));
    await lineMatching(worker, /dispatching gemini-2\.5-flash/);
    await lineMatching(rotator, /keyfleet rotator running/);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([api, worker, rotator].filter(Boolean).map((watched) => stopApp(watched.proc)));
    await redis?.close();
    await postgres?.close();
    await db?.drop();
  });

  it('logs a Redis outage in JSON, once per connection rather than a stack per retry', async () => {
    const from = new Map([api, worker, rotator].map((w) => [w, w.lines.length]));
    redis.cut();
    for (const watched of [api, worker, rotator]) {
      await lineMatching(
        watched,
        /"context":"Redis".*ECONNRESET|"context":"Redis".*ECONNREFUSED/,
        from.get(watched),
      );
    }
    await lineMatching(rotator, /worker rotation-sweep: /, from.get(rotator));
    await lineMatching(rotator, /rotation-request subscriber: /, from.get(rotator));
    redis.restore();
    expect((await fetch(`${apiUrl}/healthz`)).status).toBe(200);
  }, 60_000);

  it('logs a Postgres outage in JSON, and answers 503 meanwhile', async () => {
    const from = api.lines.length;
    postgres.cut();
    const response = await fetch(`${apiUrl}/admin/v1/projects`, {
      headers: { authorization: `Bearer ${ADMIN}` },
    });
    expect(response.status).toBe(503);
    await lineMatching(api, /cannot reach its database/, from);
    postgres.restore();
  }, 60_000);

  it('printed nothing but JSON lines', async () => {
    await Promise.all([api, worker, rotator].map((watched) => stopApp(watched.proc)));
    for (const { proc, lines } of [api, worker, rotator]) {
      const notJson = lines.filter((line) => {
        if (GOOGLE_AUTH_WARNING.test(line)) return false;
        try {
          return typeof JSON.parse(line) !== 'object';
        } catch {
          return true;
        }
      });
      expect({ process: proc.name, notJson }).toEqual({ process: proc.name, notJson: [] });
      expect(lines.join('\n')).not.toContain('Unhandled error event');
    }
  }, 30_000);
});
