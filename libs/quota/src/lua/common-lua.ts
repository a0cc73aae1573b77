/**
 * Lua shared by every quota script. ARGV[1..4] are always windowMs, headroomMs, retentionMs and the
 * test clock: "0" in production (Redis TIME), a shift in ms, or "@<ms>" for a frozen time (tests only). Per project+model there are:
 *   <base>:win      ZSET of reservations in the rolling window, score = time, member = "<id>:<tokens>[:c]"
 *                   (":c" once corrected, so a second correction is a no-op)
 *   <base>:sum      HASH requests/tokens: running sums over :win, decremented as entries expire (O(1) amortised)
 *   <base>:pending  ZSET of uncorrected entries that left the window, kept retentionMs for late corrections
 *   <base>:day:<dayStartMs>  HASH requests/tokens of one Pacific day
 *   <base>:block    HASH until/reason after a 429 that still arrived
 * Per model, <model base>:epoch HASH id/until/replayed:<process> marks the life of the windows (see epoch_of).
 * Spend (micro-dollars) is counted across models, under the spend base <prefix>:quota:spend:
 *   :s:<scope>:win  ZSET per billing scope (p:<project> or g:<group>), member "<id>:<micros>[:c]", score = time
 *   :s:<scope>:sum  HASH micros: running sum over :win
 *   :p:<project>:day:<dayStartMs>  HASH micros of one project and Pacific day
 * Its window (SPEND_SPAN, the spend window plus the headroom) is an argument of the scripts that use it.
 */
export const COMMON_LUA = `
local WINDOW = tonumber(ARGV[1])
local HEADROOM = tonumber(ARGV[2])
local RETENTION = tonumber(ARGV[3])
local CLOCK = ARGV[4]
local SPAN = WINDOW + HEADROOM

local function now_ms()
  if string.sub(CLOCK, 1, 1) == '@' then return tonumber(string.sub(CLOCK, 2)) end
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + tonumber(CLOCK)
end

local function tokens_of(member)
  return tonumber(string.match(member, '^[^:]+:(%d+)')) or 0
end

local function is_corrected(member)
  return string.sub(member, -2) == ':c'
end

local function find_member(zkey, at_ms, id)
  local prefix = id .. ':'
  for _, m in ipairs(redis.call('ZRANGEBYSCORE', zkey, at_ms, at_ms)) do
    if string.sub(m, 1, #prefix) == prefix then return m end
  end
  return nil
end

-- Drops entries that left the window (a reservation at t occupies [t, t + SPAN)), keeps the sums
-- in step and parks uncorrected ones in :pending. Returns the window's requests and tokens.
local function trim(win, sum, pending, now)
  local s = redis.call('HMGET', sum, 'requests', 'tokens')
  local requests, tokens = tonumber(s[1]) or 0, tonumber(s[2]) or 0
  local cutoff = now - SPAN
  local expired = redis.call('ZRANGEBYSCORE', win, '-inf', cutoff, 'WITHSCORES')
  if #expired == 0 then return requests, tokens end
  local parked = false
  for i = 1, #expired, 2 do
    local m = expired[i]
    requests = requests - 1
    tokens = tokens - tokens_of(m)
    if not is_corrected(m) then
      redis.call('ZADD', pending, expired[i + 1], m)
      parked = true
    end
  end
  redis.call('ZREMRANGEBYSCORE', win, '-inf', cutoff)
  if requests < 0 then requests = 0 end
  if tokens < 0 then tokens = 0 end
  redis.call('HSET', sum, 'requests', requests, 'tokens', tokens)
  if parked then
    redis.call('ZREMRANGEBYSCORE', pending, '-inf', cutoff - RETENTION)
    redis.call('PEXPIRE', pending, RETENTION)
  end
  return requests, tokens
end

-- Drops spend entries that left the window and returns the scope's micro-dollars still in it.
local function trim_spend(win, sum, span, now)
  local used = tonumber(redis.call('HGET', sum, 'micros')) or 0
  local cutoff = now - span
  local expired = redis.call('ZRANGEBYSCORE', win, '-inf', cutoff)
  if #expired == 0 then return used end
  for _, m in ipairs(expired) do used = used - tokens_of(m) end
  redis.call('ZREMRANGEBYSCORE', win, '-inf', cutoff)
  if used < 0 then used = 0 end
  redis.call('HSET', sum, 'micros', used)
  return used
end

-- When enough of the oldest spend entries will have left the window to free \`need\` micro-dollars.
local function spend_free_at(win, need, span, now)
  local freed, offset = 0, 0
  while true do
    local e = redis.call('ZRANGE', win, offset, offset + 127, 'WITHSCORES')
    if #e == 0 then return now + span end
    for i = 1, #e, 2 do
      freed = freed + tokens_of(e[i])
      if freed >= need then return tonumber(e[i + 1]) + span end
    end
    offset = offset + 128
  end
end

-- Keeps a spend key at least until \`until_ms\` (never shortens it: a booking may hold it longer).
local function keep_until(key, until_ms, now)
  local ttl = redis.call('PTTL', key)
  if ttl < until_ms - now then redis.call('PEXPIRE', key, math.max(1, until_ms - now)) end
end

local function day_counts(day)
  local d = redis.call('HMGET', day, 'requests', 'tokens')
  return tonumber(d[1]) or 0, tonumber(d[2]) or 0
end

local function block_until(block, now)
  local u = tonumber(redis.call('HGET', block, 'until'))
  if u and u > now then return u end
  return 0
end

-- The boundaries are ascending Pacific midnights; returns the day [start, end) that holds now.
local function pick_day(boundaries, now)
  for i = 1, #boundaries - 1 do
    if boundaries[i] <= now and now < boundaries[i + 1] then return boundaries[i], boundaries[i + 1] end
  end
  error({ err = 'KF_QUOTA_DAY Redis time ' .. now .. ' is outside the given Pacific days' })
end

-- The windows' epoch, created with the model's first reservation and never expiring. When a process
-- that already knew an epoch finds none, Redis lost the windows (FLUSHDB, a restart without persistence):
-- the new epoch holds every admission for EPOCH_HOLD ms while each process replays what it reserved
-- (REPLAY_LUA). A process new to the model ('adopt') creates it without a hold: it has nothing to replay.
-- Returns the epoch's id and the end of its hold (0 when none).
local EPOCH_HOLD = 2000
local function epoch_of(base, now, adopt)
  local key = base .. ':epoch'
  local e = redis.call('HMGET', key, 'id', 'until')
  if e[1] then return e[1], tonumber(e[2]) or 0 end
  local hold = now + EPOCH_HOLD
  if adopt then hold = 0 end
  local id = tostring(now)
  redis.call('HSET', key, 'id', id, 'until', hold)
  return id, hold
end
`;
