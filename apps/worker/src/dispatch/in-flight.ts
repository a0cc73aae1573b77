import { getHeapStatistics } from 'node:v8';

// Past this share of the heap limit a process takes no new items until some finish.
const HEAP_SHARE = 0.75;

/**
 * The requests a worker process has in flight (taken and not yet recorded), across models. What the
 * quota engine admits decides how many that is; this only caps it: KF_MAX_IN_FLIGHT, and the heap.
 */
export class InFlight {
  private count = 0;
  private waiters: Array<() => void> = [];
  private readonly heapLimit = getHeapStatistics().heap_size_limit;

  constructor(private readonly max: number) {}

  get size(): number {
    return this.count;
  }

  /** How many more may start now (0 under heap pressure). */
  room(): number {
    if (process.memoryUsage().heapUsed > this.heapLimit * HEAP_SHARE) return 0;
    return Math.max(0, this.max - this.count);
  }

  add(n: number): void {
    this.count += n;
  }

  done(): void {
    this.count -= 1;
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** Resolves when one in flight finishes. */
  whenOneFinishes(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Resolves once nothing is in flight, or after `ms`. */
  async drained(ms: number): Promise<boolean> {
    const until = Date.now() + ms;
    while (this.count > 0 && Date.now() < until) {
      await Promise.race([this.whenOneFinishes(), new Promise((r) => setTimeout(r, until - Date.now()))]);
    }
    return this.count === 0;
  }
}
