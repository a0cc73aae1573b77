/**
 * Weighted fair sharing of one model's room between clients, and between a client's batches, as stride
 * scheduling: every backlogged client has a pass; the client with the lowest pass is served next and
 * its pass grows by 1/weight. Within a client, the batch of the highest priority, then the lowest pass,
 * is served and its pass grows by 1. A client (or batch) that comes back after an idle spell starts at
 * the current virtual time, so it gets no credit for having been away.
 *
 * Every key of one model lives under `<base>` = `<prefix>:fair:{<model>}` (one Redis Cluster slot):
 *   <base>:flows       ZSET client → pass (backlogged clients only)
 *   <base>:w           HASH client → weight
 *   <base>:idle        HASH client → pass when it went idle
 *   <base>:vt          the pass of the client served last (virtual time when nobody is backlogged)
 *   <base>:gen         counter: every activation gets a new generation
 *   <base>:bc/:bg/:bs  HASH batch → client / generation of its last activation / pass while idle
 *   <base>:cb:<client> ZSET batch → (100 - priority) * 1e9 + pass (the client's backlogged batches)
 * Postgres holds the items themselves; these keys only say whose turn it is.
 */
const COMMON = `
local base = ARGV[1]
local F, W, I, V, G = base .. ':flows', base .. ':w', base .. ':idle', base .. ':vt', base .. ':gen'
local BC, BG, BS = base .. ':bc', base .. ':bg', base .. ':bs'
local SPAN = 1e9
local function cb(client) return base .. ':cb:' .. client end
local function weight(client) return tonumber(redis.call('HGET', W, client) or '1') end
local function park_client(client)
  local pass = redis.call('ZSCORE', F, client)
  if pass then
    redis.call('ZREM', F, client)
    redis.call('HSET', I, client, pass)
  end
end
`;

/**
 * ARGV: base, batch, client, priority, weight ('' keeps the known one). Returns 1 if the batch was not
 * taking part in the turns before (someone should look at it now), else 0.
 */
export const ACTIVATE_LUA = `${COMMON}
local batch, client, priority, w = ARGV[2], ARGV[3], tonumber(ARGV[4]), ARGV[5]
if w ~= '' then redis.call('HSET', W, client, w) end
local gen = redis.call('INCR', G)
redis.call('HSET', BG, batch, gen)
redis.call('HSET', BC, batch, client)
local CB = cb(client)
local added = 0
if not redis.call('ZSCORE', CB, batch) then
  added = 1
  local pass = tonumber(redis.call('HGET', BS, batch) or '0')
  local head = redis.call('ZRANGE', CB, 0, 0, 'WITHSCORES')
  if #head > 0 then pass = math.max(pass, tonumber(head[2]) % SPAN) end
  redis.call('ZADD', CB, (100 - priority) * SPAN + pass, batch)
end
if not redis.call('ZSCORE', F, client) then
  local now = tonumber(redis.call('GET', V) or '0')
  local head = redis.call('ZRANGE', F, 0, 0, 'WITHSCORES')
  if #head > 0 then now = tonumber(head[2]) end
  local pass = math.max(tonumber(redis.call('HGET', I, client) or '0'), now)
  redis.call('ZADD', F, pass, client)
  redis.call('HDEL', I, client)
end
return added
`;

/**
 * ARGV: base, k. Hands out the next k turns, advancing passes as it goes. Returns, per batch in the order
 * of its first turn: batch, client, turns, generation.
 */
export const PLAN_LUA = `${COMMON}
local k = tonumber(ARGV[2])
local out, at = {}, {}
for _ = 1, k do
  local head = redis.call('ZRANGE', F, 0, 0, 'WITHSCORES')
  if #head == 0 then break end
  local client, pass = head[1], tonumber(head[2])
  local first = redis.call('ZRANGE', cb(client), 0, 0)
  if #first == 0 then
    park_client(client)
  else
    local batch = first[1]
    redis.call('ZADD', F, pass + 1 / weight(client), client)
    redis.call('ZINCRBY', cb(client), 1, batch)
    redis.call('SET', V, pass)
    local i = at[batch]
    if i then
      out[i + 2] = out[i + 2] + 1
    else
      at[batch] = #out + 1
      out[#out + 1] = batch
      out[#out + 1] = client
      out[#out + 1] = 1
      out[#out + 1] = redis.call('HGET', BG, batch) or '0'
    end
  end
end
return out
`;

/** ARGV: base, then (batch, client, turns) triples: turns handed out but not used are given back. */
export const REFUND_LUA = `${COMMON}
for i = 2, #ARGV, 3 do
  local batch, client, n = ARGV[i], ARGV[i + 1], tonumber(ARGV[i + 2])
  local back = n / weight(client)
  if redis.call('ZSCORE', F, client) then
    redis.call('ZINCRBY', F, -back, client)
  else
    local idle = redis.call('HGET', I, client)
    if idle then redis.call('HSET', I, client, tonumber(idle) - back) end
  end
  if redis.call('ZSCORE', cb(client), batch) then
    redis.call('ZINCRBY', cb(client), -n, batch)
  else
    local idle = redis.call('HGET', BS, batch)
    if idle then redis.call('HSET', BS, batch, math.max(0, tonumber(idle) - n)) end
  end
end
return 1
`;

/**
 * ARGV: base, batch, client, generation, final ('1': the batch is done, forget it). The batch leaves the
 * rotation only if nobody activated it since `generation` was handed out (else the caller's "nothing
 * left" may be stale). Returns 1 if it left.
 */
export const DEACTIVATE_LUA = `${COMMON}
local batch, client, gen, final = ARGV[2], ARGV[3], ARGV[4], ARGV[5] == '1'
if (redis.call('HGET', BG, batch) or '0') ~= gen then return 0 end
local CB = cb(client)
local score = redis.call('ZSCORE', CB, batch)
redis.call('ZREM', CB, batch)
if final then
  redis.call('HDEL', BC, batch)
  redis.call('HDEL', BG, batch)
  redis.call('HDEL', BS, batch)
elseif score then
  redis.call('HSET', BS, batch, tonumber(score) % SPAN)
end
if redis.call('ZCARD', CB) == 0 then park_client(client) end
return 1
`;

/** ARGV: base. How many clients and batches are backlogged, and the batches of each (for tests and metrics). */
export const STATE_LUA = `${COMMON}
local out = {}
for _, client in ipairs(redis.call('ZRANGE', F, 0, -1)) do
  out[#out + 1] = client
  out[#out + 1] = redis.call('ZRANGE', cb(client), 0, -1)
end
return out
`;
