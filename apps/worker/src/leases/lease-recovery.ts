import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { WorkerLeases } from '@keyfleet/batches';
import { KeyfleetMetrics } from '@keyfleet/observability';
import { DISPATCH_TIMING, type DispatchTiming } from '../dispatch/dispatch-timing';
import { ItemHandback } from '../dispatch/item-handback';
import { PeriodicPass } from '../maintenance/periodic-pass';
import { LeaseKeeper } from './lease-keeper';

const PAGE = 1000;
const MAX_PAGES = 100;

/**
 * Hands a dead worker's items back: running items whose runner holds no live lease go back to waiting
 * (each only if its owner is still the dead one), and their batches get turns again at once. Looks every
 * second in every worker, but queries only when the last lease renewal saw a lease that ran out, so a
 * killed worker's items are back in play within a lease plus a second (about 6 s by default).
 */
@Injectable()
export class LeaseRecovery implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(LeaseRecovery.name);
  private readonly periodic = new PeriodicPass('lease recovery', () => this.recover(), 0, this.logger);
  // The first pass also hands back items that never had a lease (from before leases existed).
  private firstPassDone = false;

  constructor(
    @Inject(DISPATCH_TIMING) private readonly timing: DispatchTiming,
    private readonly leases: WorkerLeases,
    private readonly keeper: LeaseKeeper,
    private readonly handback: ItemHandback,
    private readonly metrics: KeyfleetMetrics,
  ) {}

  onApplicationBootstrap(): void {
    this.periodic.start(this.timing.recoverEveryMs);
  }

  onModuleDestroy(): Promise<void> {
    return this.periodic.stop();
  }

  /** One pass; the number of items handed back (0 while this worker's own lease is not yet trusted). */
  runOnce(): Promise<number> {
    return this.periodic.runOnce();
  }

  private async recover(): Promise<number> {
    // Just after a Postgres outage every lease looks expired: wait until live workers had a full lease to renew.
    if (!this.keeper.healthyFor(this.timing.leaseMs)) return 0;
    // The lease renewal says whether any lease ran out: most passes cost no query at all.
    if (this.firstPassDone && !this.keeper.sawExpiredLease()) return 0;
    this.firstPassDone = true;
    let handedBack = 0;
    for (let page = 0; page < MAX_PAGES; page++) {
      const orphaned = await this.leases.orphanedItems(PAGE);
      if (orphaned.length === 0) break;
      for (const [owner, ids] of byOwner(orphaned)) await this.handback.handBack(ids, owner);
      handedBack += orphaned.length;
      if (orphaned.length < PAGE) break;
    }
    this.metrics.reconcilerRepaired('orphaned_item', handedBack);
    await this.leases.forgetDead();
    if (handedBack > 0) this.logger.warn(`handed back ${handedBack} items of workers that died`);
    return handedBack;
  }
}

function byOwner(items: Array<{ id: string; leaseOwner: string | null }>): Map<string | null, string[]> {
  const groups = new Map<string | null, string[]>();
  for (const item of items) groups.set(item.leaseOwner, [...(groups.get(item.leaseOwner) ?? []), item.id]);
  return groups;
}
