import { COMMON_LUA } from './common-lua';

/**
 * How many requests of `tokens` input tokens the candidates would admit now or book within the
 * book-ahead, all of them together; and, when none, the moment that changes. Reserves nothing: a
 * dispatcher asks this before it takes items, so that it takes (and shares out fairly) about what will
 * be admitted. KEYS[1] = the model's rotation counter (routing only).
 * ARGV[5] model base, [6] tokens per request, [7] book-ahead ms, [8] n boundaries, the boundaries,
 * n candidates, then per candidate: projectId, rpm, tpm, rpd, tpd (effective limits, -1 = unlimited).
 * The last ARGV is 'adopt' when this process knows no epoch of the model yet (see epoch_of).
 * Returns {room, retryAtMs, nowMs, epoch}; retryAtMs is 0 when room > 0.
 */
export const CAPACITY_LUA = `${COMMON_LUA}
local base = ARGV[5]
local tokens = math.max(1, tonumber(ARGV[6]))
local book_ahead = tonumber(ARGV[7])
local nb = tonumber(ARGV[8])
local boundaries = {}
for i = 1, nb do boundaries[i] = tonumber(ARGV[8 + i]) end
local nc = tonumber(ARGV[9 + nb])
local now = now_ms()
local day_start, day_end = pick_day(boundaries, now)
local horizon = now + book_ahead - SPAN
local epoch, hold = epoch_of(base, now, ARGV[#ARGV] == 'adopt')
if hold > now then return { 0, hold, now, epoch } end

local function left(limit, used)
  if limit < 0 then return math.huge end
  return limit - used
end

local room, retry_at = 0, nil
for i = 1, nc do
  local at = 9 + nb + (i - 1) * 5
  local pid = ARGV[at + 1]
  local rpm, tpm = tonumber(ARGV[at + 2]), tonumber(ARGV[at + 3])
  local rpd, tpd = tonumber(ARGV[at + 4]), tonumber(ARGV[at + 5])
  local key = base .. ':p:' .. pid
  local win = key .. ':win'
  local blocked = block_until(key .. ':block', now)
  local requests, used_tokens = trim(win, key .. ':sum', key .. ':pending', now)
  local day_requests, day_tokens = day_counts(key .. ':day:' .. day_start)
  if blocked > 0 then
    if retry_at == nil or blocked < retry_at then retry_at = blocked end
  else
    -- What leaves the window within the book-ahead can be booked now.
    local leaving, leaving_tokens = 0, 0
    if book_ahead > 0 and requests > 0 then
      for _, m in ipairs(redis.call('ZRANGEBYSCORE', win, '-inf', horizon)) do
        leaving = leaving + 1
        leaving_tokens = leaving_tokens + tokens_of(m)
      end
    end
    local n = math.min(
      left(rpm, requests - leaving),
      math.floor(left(tpm, used_tokens - leaving_tokens) / tokens),
      left(rpd, day_requests),
      math.floor(left(tpd, day_tokens) / tokens))
    if n > 0 then
      room = room + n
    else
      local next_at = day_end
      if left(rpd, day_requests) > 0 and math.floor(left(tpd, day_tokens) / tokens) > 0 then
        local first = redis.call('ZRANGE', win, leaving, leaving, 'WITHSCORES')
        if #first > 0 then next_at = tonumber(first[2]) + SPAN - book_ahead end
      end
      if retry_at == nil or next_at < retry_at then retry_at = next_at end
    end
  end
end
if room > 0 then return { room, 0, now, epoch } end
return { 0, math.max(retry_at or (now + 1000), now + 1), now, epoch }
`;
