import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import type { Redis } from 'ioredis';
import { projectLimitsOf } from '@keyfleet/admission';
import { KEYFLEET_CONFIG, type KeyfleetConfig } from '@keyfleet/config';
import { REDIS_CLIENT } from '@keyfleet/queue';
import { QuotaEngine } from '@keyfleet/quota';
import { PoolService } from '@keyfleet/registry';

export const USAGE_SAMPLE_EVERY_MS = 15_000;
const KEEP_MS = 60 * 60_000;

export interface UsageSample {
  at: string;
  rows: Array<{ projectId: string; model: string; requests: number; tokens: number }>;
}

/**
 * The last hour of pool use for the dashboard's lines: every USAGE_SAMPLE_EVERY_MS one api process
 * (whichever takes the slot first) records each project × model's rolling-window use in a Redis sorted set,
 * so every api process reads the same hour and a restart loses nothing.
 */
@Injectable()
export class UsageHistory implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(UsageHistory.name);
  private readonly key: string;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(KEYFLEET_CONFIG) config: KeyfleetConfig,
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    private readonly pool: PoolService,
    private readonly engine: QuotaEngine,
  ) {
    this.key = `${config.queuePrefix}:usage-history`;
  }

  onApplicationBootstrap(): void {
    const sample = () =>
      void this.sample().catch((error: unknown) => this.logger.warn(`usage sample failed: ${String(error)}`));
    sample();
    this.timer = setInterval(sample, USAGE_SAMPLE_EVERY_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** Oldest first, the last hour. */
  async lastHour(): Promise<UsageSample[]> {
    const members = await this.redis.zrangebyscore(this.key, Date.now() - KEEP_MS, '+inf');
    return members.map((member) => JSON.parse(member) as UsageSample);
  }

  /** Records one sample, unless another api process already took this slot. */
  async sample(nowMs = Date.now()): Promise<boolean> {
    const slot = Math.floor(nowMs / USAGE_SAMPLE_EVERY_MS);
    const taken = await this.redis.set(
      `${this.key}:slot:${slot}`,
      '1',
      'PX',
      USAGE_SAMPLE_EVERY_MS * 2,
      'NX',
    );
    if (!taken) return false;
    const rows: UsageSample['rows'] = [];
    for (const model of await this.pool.servedModels()) {
      const projects = await this.pool.poolFor(model);
      const usage = await this.engine.usage(model, projects.map(projectLimitsOf));
      for (const row of usage)
        rows.push({
          projectId: row.projectId,
          model,
          requests: row.window.requests,
          tokens: row.window.tokens,
        });
    }
    const sample: UsageSample = { at: new Date(nowMs).toISOString(), rows };
    await this.redis
      .multi()
      .zadd(this.key, nowMs, JSON.stringify(sample))
      .zremrangebyscore(this.key, '-inf', nowMs - KEEP_MS)
      .pexpire(this.key, KEEP_MS * 2)
      .exec();
    return true;
  }
}
