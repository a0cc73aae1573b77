import { COMMON_LUA } from './common-lua';

/**
 * Current use of several projects of one model. KEYS[1] = the model's rotation counter (routing only).
 * ARGV[5] model base, [6] n boundaries, the boundaries, n projects, the project ids, then the spend base,
 * the spend span and each project's spend scope.
 * Returns {nowMs, dayStartMs, then per project: requests, tokens, dayRequests, dayTokens, blockedUntil,
 * spend in its scope's window, its spend today (micro-dollars)}.
 */
export const USAGE_LUA = `${COMMON_LUA}
local base = ARGV[5]
local nb = tonumber(ARGV[6])
local boundaries = {}
for i = 1, nb do boundaries[i] = tonumber(ARGV[6 + i]) end
local np = tonumber(ARGV[7 + nb])
local spend_base, SPEND_SPAN = ARGV[8 + nb + np], tonumber(ARGV[9 + nb + np])
local now = now_ms()
local day_start = pick_day(boundaries, now)
local out = { now, day_start }
for i = 1, np do
  local pid = ARGV[7 + nb + i]
  local key = base .. ':p:' .. pid
  local requests, tokens = trim(key .. ':win', key .. ':sum', key .. ':pending', now)
  local day_requests, day_tokens = day_counts(key .. ':day:' .. day_start)
  local scope = spend_base .. ':s:' .. ARGV[9 + nb + np + i]
  local n = #out
  out[n + 1], out[n + 2] = requests, tokens
  out[n + 3], out[n + 4] = day_requests, day_tokens
  out[n + 5] = block_until(key .. ':block', now)
  out[n + 6] = trim_spend(scope .. ':win', scope .. ':sum', SPEND_SPAN, now)
  out[n + 7] = tonumber(redis.call('HGET', spend_base .. ':p:' .. pid .. ':day:' .. day_start, 'micros')) or 0
end
return out
`;
