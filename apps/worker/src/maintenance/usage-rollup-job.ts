import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { UsageRollup } from '@keyfleet/accounting';
import { DISPATCH_TIMING, type DispatchTiming } from '../dispatch/dispatch-timing';

/**
 * Every usageRollupEveryMs: sums the raw usage records into usage_hourly, then deletes raw rows past
 * KF_USAGE_RAW_RETENTION_DAYS. Every worker runs it; the statements make that safe (one rollup at a
 * time under an advisory lock, each row summed once, only summed rows deleted).
 */
@Injectable()
export class UsageRollupJob implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(UsageRollupJob.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    @Inject(DISPATCH_TIMING) private readonly timing: DispatchTiming,
    private readonly rollup: UsageRollup,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.runOnce(), this.timing.usageRollupEveryMs);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One pass (never rejects); a pass still running is not started again. */
  runOnce(): Promise<void> {
    this.running ??= this.pass()
      .catch((error: unknown) => this.logger.warn(`usage rollup failed: ${String(error)}`))
      .finally(() => (this.running = undefined));
    return this.running;
  }

  private async pass(): Promise<void> {
    const rolled = await this.rollup.rollUp();
    const pruned = await this.rollup.prune();
    if (rolled || pruned) this.logger.debug(`usage: ${rolled} records rolled up, ${pruned} pruned`);
  }
}
