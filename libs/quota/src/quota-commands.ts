import type { Cluster, Redis } from 'ioredis';
import { CORRECT_LUA, RELEASE_LUA, RESTAMP_LUA } from './lua/adjust-lua';
import { BLOCK_LUA, BLOCKED_UNTIL_LUA, NOW_LUA } from './lua/block-lua';
import { CAPACITY_LUA } from './lua/capacity-lua';
import { EPOCH_LUA, REPLAY_LUA } from './lua/replay-lua';
import { RESERVE_LUA } from './lua/reserve-lua';
import { USAGE_LUA } from './lua/usage-lua';

type Arg = string | number;
type Command = (...args: Arg[]) => Promise<unknown>;

// Each script with the number of KEYS it takes; ioredis runs them by EVALSHA and reloads on NOSCRIPT.
const SCRIPTS = {
  kfQuotaReserve: { lua: RESERVE_LUA, numberOfKeys: 1 },
  kfQuotaCorrect: { lua: CORRECT_LUA, numberOfKeys: 4 },
  kfQuotaRelease: { lua: RELEASE_LUA, numberOfKeys: 4 },
  kfQuotaRestamp: { lua: RESTAMP_LUA, numberOfKeys: 4 },
  kfQuotaBlock: { lua: BLOCK_LUA, numberOfKeys: 1 },
  kfQuotaBlockedUntil: { lua: BLOCKED_UNTIL_LUA, numberOfKeys: 1 },
  kfQuotaUsage: { lua: USAGE_LUA, numberOfKeys: 1 },
  kfQuotaCapacity: { lua: CAPACITY_LUA, numberOfKeys: 1 },
  kfQuotaNow: { lua: NOW_LUA, numberOfKeys: 0 },
  kfQuotaEpoch: { lua: EPOCH_LUA, numberOfKeys: 1 },
  kfQuotaReplay: { lua: REPLAY_LUA, numberOfKeys: 1 },
} as const;

export type QuotaScriptName = keyof typeof SCRIPTS;
export type QuotaCommands = Record<QuotaScriptName, Command>;

/** Defines the quota scripts on a client (once per client) and returns them as typed commands. */
export function quotaCommands(redis: Redis | Cluster): QuotaCommands {
  const client = redis as unknown as Partial<QuotaCommands>;
  for (const [name, script] of Object.entries(SCRIPTS)) {
    if (typeof client[name as QuotaScriptName] !== 'function') redis.defineCommand(name, script);
  }
  const commands = {} as QuotaCommands;
  for (const name of Object.keys(SCRIPTS) as QuotaScriptName[]) {
    const command = client[name] as Command;
    commands[name] = (...args) => command.apply(redis, args);
  }
  return commands;
}
