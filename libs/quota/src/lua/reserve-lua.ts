import { COMMON_LUA } from './common-lua';

/**
 * Checks every candidate and reserves on the one with the most room, all in one step.
 * KEYS[1] = the model's rotation counter (the other keys share its {model} hash slot and are built here
 * from ARGV[5], because which day key is touched depends on Redis' clock).
 * ARGV[5] model base, [6] tokens, [7] reservation id, [8] book-ahead ms, [9] n boundaries, then the
 * boundaries, then n candidates, then per candidate: projectId, rpm, tpm, rpd, tpd, spend limit
 * (effective limits, -1 = unlimited), spend scope; then the spend base, the request's cost in
 * micro-dollars (0: spend not counted) and the spend span; the last ARGV is 'adopt' when this process
 * knows no epoch of the model yet. The cost is held in the chosen candidate's spend scope (its billing
 * group's window when it has one, so one limit covers the group) and in the project's day.
 *
 * With a book-ahead, a request that finds every candidate full of the rolling windows books the moment
 * room frees (at most book-ahead ms away): its entry is stamped with that future moment, so the caller
 * sends then and the next caller books the moment after. Counting a booking from now on is
 * conservative; it never lets a later window over its limit. Blocks and full days are never booked.
 * Returns {'reserved', projectId, atMs, dayStartMs, nowMs, epoch} or {'wait', retryAtMs, nowMs, epoch};
 * with a book-ahead, retryAtMs is when a booking becomes possible; during an epoch's hold, its end.
 */
export const RESERVE_LUA = `${COMMON_LUA}
local base = ARGV[5]
local tokens = tonumber(ARGV[6])
local id = ARGV[7]
local book_ahead = tonumber(ARGV[8])
local nb = tonumber(ARGV[9])
local boundaries = {}
for i = 1, nb do boundaries[i] = tonumber(ARGV[9 + i]) end
local nc = tonumber(ARGV[10 + nb])
local spend_base, cost, SPEND_SPAN = ARGV[#ARGV - 3], tonumber(ARGV[#ARGV - 2]), tonumber(ARGV[#ARGV - 1])
local now = now_ms()
local day_start, day_end = pick_day(boundaries, now)
local epoch, hold = epoch_of(base, now, ARGV[#ARGV] == 'adopt')
if hold > now then return { 'wait', hold, now, epoch } end

local function fraction_left(used, limit)
  if limit < 0 then return 1 end
  if limit == 0 then return 0 end
  return (limit - used) / limit
end

local function read_candidate(i)
  local at = 10 + nb + (i - 1) * 7
  local c = {
    pid = ARGV[at + 1], rpm = tonumber(ARGV[at + 2]), tpm = tonumber(ARGV[at + 3]),
    rpd = tonumber(ARGV[at + 4]), tpd = tonumber(ARGV[at + 5]), spend_limit = tonumber(ARGV[at + 6]),
  }
  local scope = spend_base .. ':s:' .. ARGV[at + 7]
  c.spend_win, c.spend_sum = scope .. ':win', scope .. ':sum'
  -- Only a limit needs the window's sum read (and trimmed); the sum stays the sum of its entries anyway.
  c.spend = 0
  if cost > 0 and c.spend_limit >= 0 then c.spend = trim_spend(c.spend_win, c.spend_sum, SPEND_SPAN, now) end
  c.spend_over = c.spend_limit >= 0 and c.spend + cost > c.spend_limit
  c.key = base .. ':p:' .. c.pid
  c.win, c.sum, c.pending = c.key .. ':win', c.key .. ':sum', c.key .. ':pending'
  c.day = c.key .. ':day:' .. day_start
  c.requests, c.tokens = trim(c.win, c.sum, c.pending, now)
  c.day_requests, c.day_tokens = day_counts(c.day)
  c.blocked_until = block_until(c.key .. ':block', now)
  c.rpm_over = c.requests + 1 > c.rpm
  c.tpm_over = c.tokens + tokens > c.tpm
  c.day_over = (c.rpd >= 0 and c.day_requests + 1 > c.rpd) or (c.tpd >= 0 and c.day_tokens + tokens > c.tpd)
  return c
end

local function room_after(c)
  return math.min(
    fraction_left(c.requests + 1, c.rpm), fraction_left(c.tokens + tokens, c.tpm),
    fraction_left(c.day_requests + 1, c.rpd), fraction_left(c.day_tokens + tokens, c.tpd),
    fraction_left(c.spend + cost, c.spend_limit))
end

-- Reserves on c at the given moment (now, or a booked moment within the book-ahead).
local function reserve_on(c, at)
  local keep = RETENTION + SPAN + (at - now)
  redis.call('ZADD', c.win, at, id .. ':' .. tokens)
  redis.call('HSET', c.sum, 'requests', c.requests + 1, 'tokens', c.tokens + tokens)
  redis.call('PEXPIRE', c.win, keep)
  redis.call('PEXPIRE', c.sum, keep)
  redis.call('HINCRBY', c.day, 'requests', 1)
  redis.call('HINCRBY', c.day, 'tokens', tokens)
  if c.day_requests == 0 then redis.call('PEXPIRE', c.day, day_end - now + keep) end
  if cost > 0 then
    local spend_keep = RETENTION + SPEND_SPAN + (at - now)
    redis.call('ZADD', c.spend_win, at, id .. ':' .. cost)
    redis.call('HINCRBY', c.spend_sum, 'micros', cost)
    redis.call('PEXPIRE', c.spend_win, spend_keep)
    redis.call('PEXPIRE', c.spend_sum, spend_keep)
    local spend_day = spend_base .. ':p:' .. c.pid .. ':day:' .. day_start
    if redis.call('HINCRBY', spend_day, 'micros', cost) == cost then
      redis.call('PEXPIRE', spend_day, day_end - now + keep)
    end
  end
  return { 'reserved', c.pid, at, day_start, now, epoch }
end

-- When the n-th oldest entry of the window leaves it.
local function rpm_free_at(c)
  local nth = c.requests + 1 - c.rpm
  local e = redis.call('ZRANGE', c.win, nth - 1, nth - 1, 'WITHSCORES')
  if #e == 0 then return now + SPAN end
  return tonumber(e[2]) + SPAN
end

-- Walks the oldest entries until enough tokens have left the window.
local function tpm_free_at(c)
  local need = c.tokens + tokens - c.tpm
  local freed, offset = 0, 0
  while true do
    local e = redis.call('ZRANGE', c.win, offset, offset + 127, 'WITHSCORES')
    if #e == 0 then return now + SPAN end
    for i = 1, #e, 2 do
      freed = freed + tokens_of(e[i])
      if freed >= need then return tonumber(e[i + 1]) + SPAN end
    end
    offset = offset + 128
  end
end

-- When c has room, and whether that moment may be booked (only the rolling windows are waited out).
local function free_at(c)
  local at = c.blocked_until
  if c.rpm_over then at = math.max(at, rpm_free_at(c)) end
  if c.tpm_over then at = math.max(at, tpm_free_at(c)) end
  if c.spend_over then
    at = math.max(at, spend_free_at(c.spend_win, c.spend + cost - c.spend_limit, SPEND_SPAN, now))
  end
  if c.day_over then at = math.max(at, day_end) end
  local bookable = c.blocked_until == 0 and not c.day_over and at < day_end
  return math.max(at, now + 1), bookable
end

local start = 0
if nc > 1 then start = redis.call('INCR', KEYS[1]) % nc end
local candidates, best, best_room = {}, nil, -1
for k = 0, nc - 1 do
  local c = read_candidate(((start + k) % nc) + 1)
  candidates[#candidates + 1] = c
  if c.blocked_until == 0 and not c.rpm_over and not c.tpm_over and not c.day_over and not c.spend_over then
    local room = room_after(c)
    if room > best_room then best, best_room = c, room end
  end
end
if best then return reserve_on(best, now) end

local retry_at, book, book_at = nil, nil, nil
for _, c in ipairs(candidates) do
  local at, bookable = free_at(c)
  if bookable and book_ahead > 0 then
    if at <= now + book_ahead and (book_at == nil or at < book_at) then book, book_at = c, at end
    at = math.max(at - book_ahead, now + 1)
  end
  if retry_at == nil or at < retry_at then retry_at = at end
end
if book then return reserve_on(book, book_at) end
return { 'wait', retry_at, now, epoch }
`;
