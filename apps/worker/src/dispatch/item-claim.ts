import type { BatchItemsStore, ClaimedItem, ItemRef } from '@keyfleet/batches';

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
    private readonly item: ItemRef,
  ) {}

  get started(): boolean {
    return this.claimed !== undefined;
  }

  /** Starts the claim once; later calls do nothing. */
  start(): void {
    if (this.claimed) return;
    // The store groups a batch's claims into one statement at a time (see BatchItemsStore).
    this.claimed = this.store.claim(this.item, () => !this.answered);
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
