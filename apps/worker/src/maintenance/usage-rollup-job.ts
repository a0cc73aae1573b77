import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { UsageRollup } from '@keyfleet/accounting';
import { DISPATCH_TIMING, type DispatchTiming } from '../dispatch/dispatch-timing';
import { PeriodicPass } from './periodic-pass';

/**
 * Every usageRollupEveryMs: sums the raw usage records into usage_hourly, then deletes raw rows past
 * KF_USAGE_RAW_RETENTION_DAYS. Every worker runs it; the statements make that safe (one rollup at a
 * time under an advisory lock, each row summed once, only summed rows deleted).
 */
@Injectable()
export class UsageRollupJob implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(UsageRollupJob.name);
  private readonly periodic = new PeriodicPass('usage rollup', () => this.pass(), undefined, this.logger);

  constructor(
    @Inject(DISPATCH_TIMING) private readonly timing: DispatchTiming,
    private readonly rollup: UsageRollup,
  ) {}

  onApplicationBootstrap(): void {
    this.periodic.start(this.timing.usageRollupEveryMs, { unref: true });
  }

  onModuleDestroy(): Promise<void> {
    return this.periodic.stop();
  }

  /** One pass (never rejects); a pass still running is not started again. */
  runOnce(): Promise<void> {
    return this.periodic.runOnce();
  }

  private async pass(): Promise<void> {
    const rolled = await this.rollup.rollUp();
    const pruned = await this.rollup.prune();
    if (rolled || pruned) this.logger.debug(`usage: ${rolled} records rolled up, ${pruned} pruned`);
  }
}
