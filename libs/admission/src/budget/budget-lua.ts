/**
 * KEYS: a client's counters (settled spend + in-flight reservations, micro-dollars), one per limit.
 * ARGV: the estimate, then each counter's limit. A missing counter is answered {-1, i} (seed it, then
 * ask again); a limit that would pass {0, i, counter}; else every counter takes the estimate: {1}.
 */
export const BUDGET_RESERVE_LUA = `
local estimate = tonumber(ARGV[1])
for i, key in ipairs(KEYS) do
  if redis.call('EXISTS', key) == 0 then return {-1, i} end
end
for i, key in ipairs(KEYS) do
  local counted = tonumber(redis.call('GET', key))
  local limit = tonumber(ARGV[i + 1])
  if counted >= limit or counted + estimate > limit then return {0, i, counted} end
end
for _, key in ipairs(KEYS) do redis.call('INCRBY', key, estimate) end
return {1}`;

/**
 * KEYS: counters; ARGV[1]: what to add (negative gives back). A counter that is gone (Redis lost it, or
 * its period ended) stays gone: it is seeded from accounting, which a correction must not pre-empt.
 */
export const BUDGET_ADJUST_LUA = `
for _, key in ipairs(KEYS) do
  if redis.call('EXISTS', key) == 1 then redis.call('INCRBY', key, ARGV[1]) end
end
return 1`;
