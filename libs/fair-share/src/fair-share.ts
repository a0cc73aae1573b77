import { Inject, Injectable } from '@nestjs/common';
import type { Cluster, Redis } from 'ioredis';
import { KEYFLEET_CONFIG, type KeyfleetConfig } from '@keyfleet/config';
import { REDIS_CLIENT } from '@keyfleet/queue';
import { ACTIVATE_LUA, DEACTIVATE_LUA, PLAN_LUA, REFUND_LUA, STATE_LUA } from './fair-share-lua';

/** A batch with items waiting, as the scheduler knows it. */
export interface BacklogBatch {
  batchId: string;
  clientId: string;
  priority: number;
  /** The client's weight; omitted: keep the one known (1 if none). */
  weight?: number;
}

/** Turns handed to one batch by `plan`. */
export interface PlannedTurns {
  batchId: string;
  clientId: string;
  turns: number;
  /** Pass back to `deactivate`: it only acts if nobody activated the batch since. */
  generation: string;
}

type Command = (...args: Array<string | number>) => Promise<unknown>;
const SCRIPTS = {
  kfFairActivate: ACTIVATE_LUA,
  kfFairPlan: PLAN_LUA,
  kfFairRefund: REFUND_LUA,
  kfFairDeactivate: DEACTIVATE_LUA,
  kfFairState: STATE_LUA,
} as const;
type FairCommands = Record<keyof typeof SCRIPTS, Command>;

/**
 * Whose turn it is, per model: backlogged clients share the model's room in proportion to their weights,
 * and a client's batches share its part (higher priority first, equal ones alike). Postgres holds the
 * items; this only hands out turns (see fair-share-lua.ts). Every call is one atomic Lua script, so any
 * number of processes share one order. Losing these keys (a Redis flush) loses only the passes: the
 * reconciler activates every batch with work again.
 */
@Injectable()
export class FairShare {
  private readonly commands: FairCommands;

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis | Cluster,
    @Inject(KEYFLEET_CONFIG) private readonly config: KeyfleetConfig,
  ) {
    this.commands = defineCommands(redis);
  }

  /**
   * The batch has (again) items waiting: it takes part in the model's turns. Idempotent. True if it was
   * not taking part before (a dispatcher should look now).
   */
  async activate(model: string, batch: BacklogBatch): Promise<boolean> {
    const added = await this.commands.kfFairActivate(
      this.base(model),
      batch.batchId,
      batch.clientId,
      batch.priority,
      batch.weight === undefined ? '' : String(batch.weight),
    );
    return added === 1;
  }

  /** Whether any batch of the model takes part in the turns (one cheap read; nothing changes). */
  async hasWork(model: string): Promise<boolean> {
    return (await this.redis.exists(`${this.base(model)}:flows`)) === 1;
  }

  /** The next `turns` turns of the model, grouped per batch in the order of each batch's first turn. */
  async plan(model: string, turns: number): Promise<PlannedTurns[]> {
    const reply = (await this.commands.kfFairPlan(this.base(model), turns)) as Array<string | number>;
    const planned: PlannedTurns[] = [];
    for (let i = 0; i + 3 < reply.length; i += 4) {
      planned.push({
        batchId: String(reply[i]),
        clientId: String(reply[i + 1]),
        turns: Number(reply[i + 2]),
        generation: String(reply[i + 3]),
      });
    }
    return planned;
  }

  /** Gives back turns that were planned but not used (nothing to take, or no room). */
  async refund(model: string, unused: ReadonlyArray<{ batchId: string; clientId: string; turns: number }>) {
    const args = unused.filter((u) => u.turns > 0).flatMap((u) => [u.batchId, u.clientId, u.turns]);
    if (args.length > 0) await this.commands.kfFairRefund(this.base(model), ...args);
  }

  /**
   * The batch has nothing waiting (`final`: nothing running either; it is forgotten). Does nothing if the
   * batch was activated after `turns.generation` was handed out. True if it left the rotation.
   */
  async deactivate(model: string, turns: PlannedTurns, final: boolean): Promise<boolean> {
    const left = await this.commands.kfFairDeactivate(
      this.base(model),
      turns.batchId,
      turns.clientId,
      turns.generation,
      final ? '1' : '0',
    );
    return left === 1;
  }

  /** The backlogged clients in turn order, each with its batches in turn order. */
  async state(model: string): Promise<Array<{ clientId: string; batchIds: string[] }>> {
    const reply = (await this.commands.kfFairState(this.base(model))) as Array<string | string[]>;
    const clients: Array<{ clientId: string; batchIds: string[] }> = [];
    for (let i = 0; i + 1 < reply.length; i += 2)
      clients.push({ clientId: String(reply[i]), batchIds: reply[i + 1] as string[] });
    return clients;
  }

  private base(model: string): string {
    return `${this.config.queuePrefix}:fair:{${model}}`;
  }
}

function defineCommands(redis: Redis | Cluster): FairCommands {
  const client = redis as unknown as Partial<FairCommands>;
  const commands = {} as FairCommands;
  for (const [name, lua] of Object.entries(SCRIPTS) as Array<[keyof FairCommands, string]>) {
    // Keys are built inside the scripts from ARGV[1]: which batch keys a script touches is data.
    if (typeof client[name] !== 'function') redis.defineCommand(name, { lua, numberOfKeys: 0 });
    const command = client[name] as Command;
    commands[name] = (...args) => command.apply(redis, args);
  }
  return commands;
}
