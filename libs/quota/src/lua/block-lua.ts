import { COMMON_LUA } from './common-lua';

/**
 * Blocks a project+model until ARGV[5] (Redis clock) with reason ARGV[6]; a longer block already in
 * place wins. KEYS[1] = the block key. Returns the block's end, or 0 if the time has already passed.
 */
export const BLOCK_LUA = `${COMMON_LUA}
local block = KEYS[1]
local until_ms, reason = tonumber(ARGV[5]), ARGV[6]
local now = now_ms()
local current = block_until(block, now)
if until_ms <= now then return current end
if current >= until_ms then return current end
redis.call('HSET', block, 'until', until_ms, 'reason', reason)
redis.call('PEXPIRE', block, until_ms - now)
return until_ms
`;

/** KEYS[1] = the block key. Returns the end of a block still in force, or 0. */
export const BLOCKED_UNTIL_LUA = `${COMMON_LUA}
return block_until(KEYS[1], now_ms())
`;

/** Returns Redis time plus the clock shift. */
export const NOW_LUA = `${COMMON_LUA}
return now_ms()
`;
