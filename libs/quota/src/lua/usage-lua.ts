import { COMMON_LUA } from './common-lua';

/**
 * Current use of several projects of one model. KEYS[1] = the model's rotation counter (routing only).
 * ARGV[5] model base, [6] n boundaries, the boundaries, n projects, the project ids.
 * Returns {nowMs, dayStartMs, then per project: requests, tokens, dayRequests, dayTokens, blockedUntil}.
 */
export const USAGE_LUA = `${COMMON_LUA}
local base = ARGV[5]
local nb = tonumber(ARGV[6])
local boundaries = {}
for i = 1, nb do boundaries[i] = tonumber(ARGV[6 + i]) end
local np = tonumber(ARGV[7 + nb])
local now = now_ms()
local day_start = pick_day(boundaries, now)
local out = { now, day_start }
for i = 1, np do
  local key = base .. ':p:' .. ARGV[7 + nb + i]
  local requests, tokens = trim(key .. ':win', key .. ':sum', key .. ':pending', now)
  local day_requests, day_tokens = day_counts(key .. ':day:' .. day_start)
  local n = #out
  out[n + 1], out[n + 2] = requests, tokens
  out[n + 3], out[n + 4] = day_requests, day_tokens
  out[n + 5] = block_until(key .. ':block', now)
end
return out
`;
