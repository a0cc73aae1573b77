// The yardstick of scenario (f): the least a quota-checked gateway does per call, in plain node:http —
// read the request, one Redis round trip (a rolling-window reservation in Lua), forward it over a kept-alive
// connection, pipe the answer back. Measured under the same load beside keyfleet, it shows what this machine
// allows, and so how much of keyfleet's added latency is keyfleet's own. Run as its own process:
// PORT, UPSTREAM_URL, UPSTREAM_KEY, REDIS_URL, WINDOW_KEY.
import { Agent, createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import { Redis } from 'ioredis';

const RESERVE_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - 60000)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], now, ARGV[2])
redis.call('PEXPIRE', KEYS[1], 61000)
return 1`;
const LIMIT = 10_000_000;

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`reference proxy: ${name} is required`);
  return value;
};

const upstream = new URL(env('UPSTREAM_URL'));
const upstreamKey = env('UPSTREAM_KEY');
const windowKey = env('WINDOW_KEY');
const redis = new Redis(env('REDIS_URL'));
// EVALSHA after the first call, as keyfleet's own quota scripts.
redis.defineCommand('reserve', { numberOfKeys: 1, lua: RESERVE_LUA });
const reserve = (key: string, limit: number, id: string) =>
  (redis as unknown as { reserve(...args: unknown[]): Promise<number> }).reserve(key, limit, id);
const agent = new Agent({ keepAlive: true });
let sequence = 0;

async function forward(req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.url === '/healthz') return void res.end('ok');
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  const admitted = await reserve(windowKey, LIMIT, String(sequence++));
  if (admitted !== 1) return void res.writeHead(429).end();
  const outgoing = request(
    {
      agent,
      method: 'POST',
      host: upstream.hostname,
      port: upstream.port,
      path: req.url,
      headers: {
        'content-type': 'application/json',
        'content-length': body.length,
        'x-goog-api-key': upstreamKey,
      },
    },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, {
        'content-type': answer.headers['content-type'] ?? 'application/json',
      });
      answer.pipe(res);
    },
  );
  outgoing.on('error', () => fail(res, 502));
  outgoing.end(body);
}

function fail(res: ServerResponse, status: number): void {
  if (!res.headersSent) res.writeHead(status);
  res.end();
}

createServer((req, res) => void forward(req, res).catch(() => fail(res, 500))).listen(
  Number(env('PORT')),
  '127.0.0.1',
);
