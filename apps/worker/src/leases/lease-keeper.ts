import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { WorkerLeases } from '@keyfleet/batches';
import { DISPATCH_TIMING, type DispatchTiming } from '../dispatch/dispatch-timing';
import { WorkerIdentity } from '../dispatch/worker-identity';

/**
 * Keeps this worker's lease on the items it runs: one row renewed every few seconds. Knows how long
 * renewals have gone through without a break: right after Postgres comes back, other workers' leases
 * look expired only because they could not renew either, so lease recovery waits for a full lease.
 */
@Injectable()
export class LeaseKeeper implements OnModuleDestroy {
  private readonly logger = new Logger(LeaseKeeper.name);
  private timer: NodeJS.Timeout | undefined;
  private healthySince: number | null = null;
  private expiredSeen = false;
  private renewing: Promise<void> | undefined;

  constructor(
    @Inject(DISPATCH_TIMING) private readonly timing: DispatchTiming,
    private readonly leases: WorkerLeases,
    private readonly identity: WorkerIdentity,
  ) {}

  /** Takes the lease and keeps renewing it; before this worker takes any item (DispatchLoops). */
  async start(): Promise<void> {
    await this.renew();
    this.timer ??= setInterval(() => void this.renew(), this.timing.leaseRenewMs);
  }

  /** Whether the last renewal saw a lease that ran out (a worker died and its items wait to be handed back). */
  sawExpiredLease(): boolean {
    return this.expiredSeen;
  }

  /** Whether renewals have gone through, unbroken, for at least `ms`. */
  healthyFor(ms: number): boolean {
    return this.healthySince !== null && Date.now() - this.healthySince >= ms;
  }

  renew(): Promise<void> {
    this.renewing ??= this.renewOnce().finally(() => (this.renewing = undefined));
    return this.renewing;
  }

  /** Gives the lease up: this worker runs nothing any more. */
  async end(): Promise<void> {
    clearInterval(this.timer);
    await this.renewing;
    await this.leases.end(this.identity.id).catch(() => undefined);
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  private async renewOnce(): Promise<void> {
    try {
      const { anyExpired } = await this.leases.renew(
        this.identity.id,
        this.identity.name,
        this.timing.leaseMs / 1000,
      );
      this.expiredSeen = anyExpired;
      this.healthySince ??= Date.now();
    } catch (error) {
      if (this.healthySince !== null) this.logger.warn(`renewing the lease failed: ${String(error)}`);
      this.healthySince = null;
    }
  }
}
