import { COMMON_LUA } from './common-lua';

/**
 * How many requests of `tokens` input tokens the candidates would admit now or book within the
 * book-ahead, all of them together; and, when none, the moment that changes. Reserves nothing: a
 * dispatcher asks this before it takes items, so that it takes (and shares out fairly) about what will
 * be admitted. KEYS[1] = the model's rotation counter (routing only).
 * ARGV[5] model base, [6] tokens per request, [7] book-ahead ms, [8] n boundaries, the boundaries,
 * n candidates, then per candidate: projectId, rpm, tpm, rpd, tpd, spend limit (effective limits,
 * -1 = unlimited), spend scope; then the spend base, the cost of one request in micro-dollars (0: spend
 * not counted) and the spend span. Candidates of one billing group share its spend room.
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
local spend_base, cost, SPEND_SPAN = ARGV[#ARGV - 3], tonumber(ARGV[#ARGV - 2]), tonumber(ARGV[#ARGV - 1])
local now = now_ms()
local day_start, day_end = pick_day(boundaries, now)
local horizon = now + book_ahead - SPAN
local epoch, hold = epoch_of(base, now, ARGV[#ARGV] == 'adopt')
if hold > now then return { 0, hold, now, epoch } end

local function left(limit, used)
  if limit < 0 then return math.huge end
  return limit - used
end

-- Spend room left per scope (micro-dollars), counting what leaves within the book-ahead.
local scope_left = {}
local function spend_room(scope)
  if scope_left[scope] then return scope_left[scope] end
  local win, sum = spend_base .. ':s:' .. scope .. ':win', spend_base .. ':s:' .. scope .. ':sum'
  local used = trim_spend(win, sum, SPEND_SPAN, now)
  if book_ahead > 0 and used > 0 then
    for _, m in ipairs(redis.call('ZRANGEBYSCORE', win, '-inf', now + book_ahead - SPEND_SPAN)) do
      used = used - tokens_of(m)
    end
  end
  return used
end

local room, retry_at = 0, nil
for i = 1, nc do
  local at = 9 + nb + (i - 1) * 7
  local spend_limit, scope = tonumber(ARGV[at + 6]), ARGV[at + 7]
  local spend_n = math.huge
  if cost > 0 and spend_limit >= 0 then
    if not scope_left[scope] then scope_left[scope] = spend_limit - spend_room(scope) end
    spend_n = math.floor(math.max(0, scope_left[scope]) / cost)
  end
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
    local window_n = math.min(
      left(rpm, requests - leaving),
      math.floor(left(tpm, used_tokens - leaving_tokens) / tokens))
    local day_n = math.min(left(rpd, day_requests), math.floor(left(tpd, day_tokens) / tokens))
    local n = math.min(window_n, day_n, spend_n)
    if n > 0 then
      room = room + n
      if spend_n ~= math.huge then scope_left[scope] = scope_left[scope] - n * cost end
    else
      local next_at = day_end
      if day_n > 0 then
        next_at = now + 1
        if window_n <= 0 then
          next_at = day_end
          local first = redis.call('ZRANGE', win, leaving, leaving, 'WITHSCORES')
          if #first > 0 then next_at = tonumber(first[2]) + SPAN - book_ahead end
        end
        if spend_n <= 0 then
          local spend_win = spend_base .. ':s:' .. scope .. ':win'
          local need = math.max(1, cost - scope_left[scope])
          next_at = math.max(next_at, spend_free_at(spend_win, need, SPEND_SPAN, now) - book_ahead)
        end
      end
      if retry_at == nil or next_at < retry_at then retry_at = next_at end
    end
  end
end
if room > 0 then return { room, 0, now, epoch } end
return { 0, math.max(retry_at or (now + 1000), now + 1), now, epoch }
`;
