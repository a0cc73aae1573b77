/**
 * How many taken items may wait at once for their request to be written. Each holds reserved room and must
 * leave within the send window of its admission, or it is held back (room given back, item taken again:
 * the work done twice, and a connection torn down). No constant suits every machine and load, so the limit
 * follows what writing takes here: it shrinks when a request used more than half its window before
 * leaving, and grows back, one at a time, while requests leave within a quarter of it with the limit in
 * use (never while it sits unused, so a quiet spell does not open the door to a burst).
 */
export class WriteQueueLimit {
  private current: number;
  private lastCutAt = -Infinity;

  constructor(
    /** The send window (ms); Infinity when nothing is guarded (no headroom): the limit is then `max`. */
    private readonly windowMs: number,
    private readonly max: number,
    initial = 64,
    private readonly min = 8,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.current = Number.isFinite(windowMs) ? clamp(initial, min, max) : max;
  }

  get value(): number {
    return this.current;
  }

  /** A request left (or was held back) `usedMs` into its send window, with `queued` items then unwritten. */
  observe(usedMs: number, queued: number): void {
    if (!Number.isFinite(this.windowMs)) return;
    if (usedMs > this.windowMs / 2) {
      // At most one cut per quarter window: a burst's late requests all report the same excess.
      const now = this.now();
      if (now - this.lastCutAt < this.windowMs / 4) return;
      this.lastCutAt = now;
      this.current = Math.max(this.min, Math.floor(this.current * 0.7));
    } else if (usedMs < this.windowMs / 4 && queued >= this.current / 2) {
      this.current = Math.min(this.max, this.current + 1);
    }
  }
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
