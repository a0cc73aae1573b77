import { Injectable, Logger } from '@nestjs/common';
import { BatchItemsStore } from '@keyfleet/batches';
import { DispatchSignals, FairShare } from '@keyfleet/fair-share';

/**
 * Sends running items back to waiting (each only if `leaseOwner` still runs it), and gives their batches
 * turns again at once. If the announcement fails, the items wait in Postgres all the same and the
 * reconciler announces their batches within a pass.
 */
@Injectable()
export class ItemHandback {
  private readonly logger = new Logger(ItemHandback.name);

  constructor(
    private readonly store: BatchItemsStore,
    private readonly fairShare: FairShare,
    private readonly signals: DispatchSignals,
  ) {}

  /** Returns how many batches got turns again. */
  async handBack(itemIds: readonly string[], leaseOwner: string | null): Promise<number> {
    const reopened = await this.store.release(itemIds, leaseOwner);
    try {
      const woken = new Set<string>();
      for (const batch of reopened)
        if (await this.fairShare.activate(batch.model, batch)) woken.add(batch.model);
      // A batch still taking turns is looked at when room frees anyway.
      for (const model of woken) this.signals.wake(model);
    } catch (error) {
      this.logger.warn(`items wait again, but announcing their batches failed: ${String(error)}`);
    }
    return reopened.length;
  }
}
