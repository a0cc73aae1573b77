import pLimit from 'p-limit';
import type { BatchItemsStore, ClaimedItem } from '@keyfleet/batches';

// Claims of one batch queue on its row lock; left unbounded they would hold every pooled Postgres
// connection while they wait, and the lock-free reads and result writes would queue behind them.
const CLAIMS_AT_ONCE = 6;
const claimSlots = pLimit(CLAIMS_AT_ONCE);

/**
 * The claim (pending → running) of one delivery. It starts only once a request is about to go out, and
 * runs alongside the upstream call: the claim writes the batch's row, which every item of the batch
 * shares, so making quota reservations and sends wait on it would spread a whole minute's room over
 * seconds. A wait for quota room therefore writes nothing.
 */
export class ItemClaim {
  private claimed: Promise<ClaimedItem | null> | undefined;
  private answered = false;

  constructor(
    private readonly store: BatchItemsStore,
    private readonly itemId: string,
  ) {}

  get started(): boolean {
    return this.claimed !== undefined;
  }

  /** Starts the claim once; later calls do nothing. */
  start(): void {
    if (this.claimed) return;
    this.claimed = claimSlots(() => (this.answered ? Promise.resolve(null) : this.store.claim(this.itemId)));
    // Awaited later; until then a failure must not count as an unhandled rejection.
    this.claimed.catch(() => undefined);
  }

  /**
   * The request was answered: a claim still waiting for its turn is dropped, since recording the result
   * moves the item from pending as well; one already running finishes (each transition is conditional,
   * so either order counts right). In a burst this keeps results from queueing behind claims.
   */
  dropIfQueued(): void {
    this.answered = true;
  }

  /** Whether this delivery holds the item (false when it went final or was cancelled meanwhile). */
  async held(): Promise<boolean> {
    this.start();
    return (await this.claimed) !== null;
  }
}
