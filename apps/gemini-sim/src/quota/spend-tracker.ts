// Spend (micro-dollars) admitted over the last rolling spend window, for one billing account.

export class SpendTracker {
  // Parallel arrays with a moving head, as in WindowTracker.
  private times: number[] = [];
  private micros: number[] = [];
  private head = 0;
  private sum = 0;

  constructor(private readonly windowMs: number) {}

  /** Drops what has left the window at `now`: spend at t counts up to t + windowMs (excl.). */
  advance(now: number): void {
    while (this.head < this.times.length && this.times[this.head] <= now - this.windowMs) {
      this.sum -= this.micros[this.head];
      this.head += 1;
    }
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.micros = this.micros.slice(this.head);
      this.head = 0;
    }
  }

  get used(): number {
    return this.sum;
  }

  record(now: number, micros: number): void {
    this.times.push(now);
    this.micros.push(micros);
    this.sum += micros;
  }
}
