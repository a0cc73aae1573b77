import { COMMON_LUA } from './common-lua';

/**
 * The model's epoch (ARGV[5] model base), created with a hold when missing: a process that reserved
 * under an earlier epoch asks this to find out whether Redis lost the windows. KEYS[1] = the model's
 * rotation counter (routing only). Returns {epoch, holdUntil, nowMs}.
 */
export const EPOCH_LUA = `${COMMON_LUA}
local now = now_ms()
local epoch, hold = epoch_of(ARGV[5], now, false)
return { epoch, hold, now }
`;

/**
 * Puts back what one process reserved under earlier epochs, once per process and epoch.
 * KEYS[1] = the model's rotation counter (routing only). ARGV[5] model base, [6] the epoch replayed into,
 * [7] the process id, [8] the spend base, [9] the spend span, [10] n projects, then per project: projectId,
 * dayStartMs, day requests, day tokens, day micro-dollars, n entries, then per entry: id, atMs, tokens,
 * corrected (1/0), micro-dollars, spend scope. Entries already in a window (or gone from it) are skipped
 * there. Returns 'replayed', 'done-before', or 'stale' when the epoch is another one.
 */
export const REPLAY_LUA = `${COMMON_LUA}
local base, epoch, process = ARGV[5], ARGV[6], ARGV[7]
local epoch_key = base .. ':epoch'
if redis.call('HGET', epoch_key, 'id') ~= epoch then return 'stale' end
if redis.call('HSETNX', epoch_key, 'replayed:' .. process, 1) == 0 then return 'done-before' end
local now = now_ms()
local spend_base, SPEND_SPAN = ARGV[8], tonumber(ARGV[9])
local day_keep = 26 * 3600 * 1000 + RETENTION

-- Puts one spend entry back into its scope's window, unless it is there or has left it.
local function replay_spend(scope, id, stamp, micros, corrected)
  if micros <= 0 or stamp + SPEND_SPAN <= now then return end
  local swin, ssum = spend_base .. ':s:' .. scope .. ':win', spend_base .. ':s:' .. scope .. ':sum'
  if find_member(swin, stamp, id) then return end
  local member = id .. ':' .. micros
  if corrected == '1' then member = member .. ':c' end
  redis.call('ZADD', swin, stamp, member)
  redis.call('HINCRBY', ssum, 'micros', micros)
  keep_until(swin, stamp + SPEND_SPAN + RETENTION, now)
  keep_until(ssum, stamp + SPEND_SPAN + RETENTION, now)
end

local np = tonumber(ARGV[10])
local at = 10
for _ = 1, np do
  local pid = ARGV[at + 1]
  local key = base .. ':p:' .. pid
  local day_start, day_requests, day_tokens = tonumber(ARGV[at + 2]), tonumber(ARGV[at + 3]), tonumber(ARGV[at + 4])
  local day_micros = tonumber(ARGV[at + 5])
  local n = tonumber(ARGV[at + 6])
  at = at + 6
  local win, sum, pending = key .. ':win', key .. ':sum', key .. ':pending'
  local requests, tokens = trim(win, sum, pending, now)
  local latest = now
  for _ = 1, n do
    local id, stamp, t, corrected = ARGV[at + 1], tonumber(ARGV[at + 2]), tonumber(ARGV[at + 3]), ARGV[at + 4]
    replay_spend(ARGV[at + 6], id, stamp, tonumber(ARGV[at + 5]), corrected)
    at = at + 6
    if stamp + SPAN > now and not find_member(win, stamp, id) then
      local member = id .. ':' .. t
      if corrected == '1' then member = member .. ':c' end
      redis.call('ZADD', win, stamp, member)
      requests, tokens = requests + 1, tokens + t
      if stamp > latest then latest = stamp end
    end
  end
  redis.call('HSET', sum, 'requests', requests, 'tokens', tokens)
  local keep = RETENTION + SPAN + (latest - now)
  redis.call('PEXPIRE', win, keep)
  redis.call('PEXPIRE', sum, keep)
  if day_requests > 0 or day_tokens > 0 then
    local day = key .. ':day:' .. day_start
    redis.call('HINCRBY', day, 'requests', day_requests)
    redis.call('HINCRBY', day, 'tokens', day_tokens)
    redis.call('PEXPIRE', day, math.max(day_start + day_keep - now, 1000))
  end
  if day_micros > 0 then
    local spend_day = spend_base .. ':p:' .. pid .. ':day:' .. day_start
    redis.call('HINCRBY', spend_day, 'micros', day_micros)
    redis.call('PEXPIRE', spend_day, math.max(day_start + day_keep - now, 1000))
  end
end
return 'replayed'
`;
