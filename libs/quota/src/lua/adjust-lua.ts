import { COMMON_LUA } from './common-lua';

// KEYS: win, sum, pending, day of the reservation. ARGV[5] reservation id, [6] its atMs.
const ADJUST_PRELUDE = `${COMMON_LUA}
local win, sum, pending, day = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local id, at_ms = ARGV[5], tonumber(ARGV[6])
local now = now_ms()
local requests, tokens = trim(win, sum, pending, now)

-- A day key that already expired is left alone rather than recreated without a TTL.
local function adjust_day(d_requests, d_tokens)
  if redis.call('EXISTS', day) == 0 then return end
  if d_requests ~= 0 then redis.call('HINCRBY', day, 'requests', d_requests) end
  if d_tokens ~= 0 then redis.call('HINCRBY', day, 'tokens', d_tokens) end
end
`;

/**
 * Replaces the reserved tokens with the actual count (ARGV[7]) and, given when the request left (ARGV[8],
 * 0 if unknown), counts the entry from then: never earlier than its stamp nor later than now, and only
 * while the window is young enough that nobody has booked the moment the entry frees. Returns 1 if the
 * window entry was corrected, 2 if only the day counter (the entry had left the window), 0 if there was
 * nothing to do (already corrected, released, or forgotten).
 */
export const CORRECT_LUA = `${ADJUST_PRELUDE}
local actual, sent_at = tonumber(ARGV[7]), tonumber(ARGV[8])
local m = find_member(win, at_ms, id)
if m then
  if is_corrected(m) then return 0 end
  local delta = actual - tokens_of(m)
  local stamp = at_ms
  if now < at_ms + WINDOW / 2 then stamp = math.max(at_ms, math.min(now, sent_at)) end
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

/** Gives the request and its tokens back (window and day). Returns 1, 2 or 0 like CORRECT_LUA. */
export const RELEASE_LUA = `${ADJUST_PRELUDE}
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
 * The request did not leave in time: counts its entry from now instead of its stamp, if the window is
 * still young enough that nobody can have booked the moment the entry frees (as CORRECT_LUA moves it),
 * and the entry is neither corrected nor gone. Returns the new stamp, or 0 when it cannot move.
 */
export const RESTAMP_LUA = `${ADJUST_PRELUDE}
if now >= at_ms + WINDOW / 2 then return 0 end
local m = find_member(win, at_ms, id)
if not m or is_corrected(m) then return 0 end
if now <= at_ms then return at_ms end
redis.call('ZREM', win, m)
redis.call('ZADD', win, now, m)
return now
`;
