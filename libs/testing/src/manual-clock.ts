interface Timer {
  everyMs: number;
  dueAt: number;
  fn: () => void;
}

/**
 * A clock that moves only when told (the `Clock` of libs/registry): `advance(ms)` fires every timer
 * that falls due on the way, in time order, so specs test time-driven behaviour without sleeping.
 */
export class ManualClock {
  private current: number;
  private readonly timers = new Set<Timer>();

  constructor(start = 1_000_000) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  every(ms: number, fn: () => void): () => void {
    const timer = { everyMs: ms, dueAt: this.current + ms, fn };
    this.timers.add(timer);
    return () => this.timers.delete(timer);
  }

  /** Moves time on by `ms`, firing due timers on the way (a timer stopped by another is not fired). */
  advance(ms: number): void {
    const until = this.current + ms;
    for (;;) {
      const next = [...this.timers].sort((a, b) => a.dueAt - b.dueAt)[0];
      if (!next || next.dueAt > until) break;
      this.current = next.dueAt;
      next.dueAt += next.everyMs;
      next.fn();
    }
    this.current = until;
  }

  /** Timers running. */
  get timerCount(): number {
    return this.timers.size;
  }
}
