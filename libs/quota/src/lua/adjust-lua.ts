import { COMMON_LUA } from './common-lua';

// KEYS: win, sum, pending, day of the reservation. ARGV[5] reservation id, [6] its atMs; [7] its spend
// window ('' when it holds no spend), [8] the spend sum, [9] the project's spend day, [10] the spend span.
const ADJUST_PRELUDE = `${COMMON_LUA}
local win, sum, pending, day = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local id, at_ms = ARGV[5], tonumber(ARGV[6])
local spend_win, spend_sum, spend_day, SPEND_SPAN = ARGV[7], ARGV[8], ARGV[9], tonumber(ARGV[10])
local now = now_ms()
local requests, tokens = trim(win, sum, pending, now)

-- A day key that already expired is left alone rather than recreated without a TTL.
local function adjust_day(d_requests, d_tokens)
  if redis.call('EXISTS', day) == 0 then return end
  if d_requests ~= 0 then redis.call('HINCRBY', day, 'requests', d_requests) end
  if d_tokens ~= 0 then redis.call('HINCRBY', day, 'tokens', d_tokens) end
end

-- The reservation's spend entry: replaced by \`micros\` (corrected, counted from \`stamp\`), or taken out
-- when \`micros\` is nil. Its own ':c' mark makes this happen once; an entry trimmed from the window is
-- left. The sum follows by increments (it is the sum of the entries); a stamp moves at most half a
-- minute, well inside the keys' retention margin, so their expiry stays.
local function change_spend(micros, stamp)
  if spend_win == '' then return end
  local m = find_member(spend_win, at_ms, id)
  if not m or is_corrected(m) then return end
  local held = tokens_of(m)
  local delta = -held
  redis.call('ZREM', spend_win, m)
  if micros then
    redis.call('ZADD', spend_win, stamp, id .. ':' .. micros .. ':c')
    delta = micros - held
  end
  if delta == 0 then return end
  redis.call('HINCRBY', spend_sum, 'micros', delta)
  if redis.call('EXISTS', spend_day) == 1 then redis.call('HINCRBY', spend_day, 'micros', delta) end
end
`;

/**
 * Replaces the reserved tokens with the actual count (ARGV[11]) and, given when the request left (ARGV[12],
 * 0 if unknown), counts the entry from then: never earlier than its stamp nor later than now, and only
 * while the window is young enough that nobody has booked the moment the entry frees. The spend entry
 * takes the actual cost (ARGV[13] micro-dollars) and the same stamp. Returns 1 if the window entry was
 * corrected, 2 if only the day counter (the entry had left the window), 0 if there was nothing to do
 * (already corrected, released, or forgotten).
 */
export const CORRECT_LUA = `${ADJUST_PRELUDE}
local actual, sent_at, actual_micros = tonumber(ARGV[11]), tonumber(ARGV[12]), tonumber(ARGV[13])
local stamp = at_ms
if now < at_ms + WINDOW / 2 then stamp = math.max(at_ms, math.min(now, sent_at)) end
local m = find_member(win, at_ms, id)
if m and is_corrected(m) then return 0 end
change_spend(actual_micros, m and stamp or at_ms)
if m then
  local delta = actual - tokens_of(m)
  redis.call('ZREM', win, m)
  redis.call('ZADD', win, stamp, id .. ':' .. actual .. ':c')
  redis.call('HSET', sum, 'tokens', math.max(0, tokens + delta))
  adjust_day(0, delta)
  return 1
end
m = find_member(pending, at_ms, id)
if m then
  redis.call('ZREM', pending, m)
  adjust_day(0, actual - tokens_of(m))
  return 2
end
return 0
`;

/** Gives the request, its tokens and its spend back (window and day). Returns 1, 2 or 0 like CORRECT_LUA. */
export const RELEASE_LUA = `${ADJUST_PRELUDE}
change_spend(nil, 0)
local m = find_member(win, at_ms, id)
if m then
  local t = tokens_of(m)
  redis.call('ZREM', win, m)
  redis.call('HSET', sum, 'requests', math.max(0, requests - 1), 'tokens', math.max(0, tokens - t))
  adjust_day(-1, -t)
  return 1
end
m = find_member(pending, at_ms, id)
if m then
  redis.call('ZREM', pending, m)
  adjust_day(-1, -tokens_of(m))
  return 2
end
return 0
`;

/**
 * The request did not leave in time: counts its entry (and its spend entry) from now instead of its
 * stamp, if the window is still young enough that nobody can have booked the moment the entry frees (as
 * CORRECT_LUA moves it), and the entry is neither corrected nor gone. Returns the new stamp, or 0 when
 * it cannot move.
 */
export const RESTAMP_LUA = `${ADJUST_PRELUDE}
if now >= at_ms + WINDOW / 2 then return 0 end
local m = find_member(win, at_ms, id)
if not m or is_corrected(m) then return 0 end
if now <= at_ms then return at_ms end
redis.call('ZREM', win, m)
redis.call('ZADD', win, now, m)
if spend_win ~= '' then
  local s = find_member(spend_win, at_ms, id)
  if s and not is_corrected(s) then
    redis.call('ZREM', spend_win, s)
    redis.call('ZADD', spend_win, now, s)
  end
end
return now
`;
