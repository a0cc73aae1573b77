import { Client } from 'pg';
import { Redis } from 'ioredis';

const HOW_TO_START = `
Start them, then run the demo again:
  local servers:  pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start
                  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
  or with Docker: cp .env.example .env (set POSTGRES_PASSWORD), docker compose up -d postgres redis,
                  then DEMO_DATABASE_URL=postgres://postgres:<POSTGRES_PASSWORD>@127.0.0.1:5432/keyfleet_demo`;

/** Fails with a message saying what is down and how to start it. */
export async function checkServices(databaseUrl: string, redisUrl: string): Promise<void> {
  const problems: string[] = [];
  const url = new URL(databaseUrl);
  url.pathname = '/postgres';
  const pg = new Client({ connectionString: url.toString(), connectionTimeoutMillis: 3000 });
  try {
    await pg.connect();
    await pg.query('SELECT 1');
  } catch (error) {
    problems.push(`Postgres is not reachable at ${url.host} (${(error as Error).message})`);
  } finally {
    await pg.end().catch(() => undefined);
  }
  const redis = new Redis(redisUrl, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: 3000,
    retryStrategy: () => null,
  });
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    problems.push(`Redis is not reachable at ${redisUrl} (${(error as Error).message})`);
  } finally {
    redis.disconnect();
  }
  if (problems.length) throw new Error(`${problems.join('\n')}\n${HOW_TO_START}`);
}
