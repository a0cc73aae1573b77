// Arrivals (time, input tokens) over the last rolling 60 s, the current clock minute and the Pacific day.
import { PacificDayClock } from './pacific-day';

export const MINUTE_MS = 60_000;

export class WindowTracker {
  // Parallel arrays with a moving head: O(1) amortized append and prune, bounded to 60 s of entries.
  private times: number[] = [];
  private tokens: number[] = [];
  private head = 0;
  private rollingTokenSum = 0;
  private minuteStartMs = Number.NaN;
  private minuteRequestCount = 0;
  private minuteTokenCount = 0;
  private dayStartMs = Number.NaN;
  private dayEndMs = Number.NaN;
  private dayRequestCount = 0;
  private dayTokenCount = 0;

  constructor(private readonly days: PacificDayClock) {}

  /** Drops what has left the windows at `now`. A request at t counts in every window up to t + 60 s (excl.). */
  advance(now: number): void {
    while (this.head < this.times.length && this.times[this.head] <= now - MINUTE_MS) {
      this.rollingTokenSum -= this.tokens[this.head];
      this.head += 1;
    }
    if (this.head > 1024 && this.head * 2 > this.times.length) this.compact();
    const minuteStart = Math.floor(now / MINUTE_MS) * MINUTE_MS;
    if (minuteStart !== this.minuteStartMs) {
      this.minuteStartMs = minuteStart;
      this.minuteRequestCount = 0;
      this.minuteTokenCount = 0;
    }
    const day = this.days.dayAt(now);
    if (day.start !== this.dayStartMs) {
      this.dayStartMs = day.start;
      this.dayEndMs = day.end;
      this.dayRequestCount = 0;
      this.dayTokenCount = 0;
    }
  }

  /** Counts one arrival; call `advance(now)` first. */
  record(now: number, tokens: number): void {
    this.times.push(now);
    this.tokens.push(tokens);
    this.rollingTokenSum += tokens;
    this.minuteRequestCount += 1;
    this.minuteTokenCount += tokens;
    this.dayRequestCount += 1;
    this.dayTokenCount += tokens;
  }

  get rollingRequests(): number {
    return this.times.length - this.head;
  }
  get rollingTokens(): number {
    return this.rollingTokenSum;
  }
  get minuteRequests(): number {
    return this.minuteRequestCount;
  }
  get minuteTokens(): number {
    return this.minuteTokenCount;
  }
  get minuteEnd(): number {
    return this.minuteStartMs + MINUTE_MS;
  }
  get dayRequests(): number {
    return this.dayRequestCount;
  }
  get dayTokens(): number {
    return this.dayTokenCount;
  }
  get dayEnd(): number {
    return this.dayEndMs;
  }

  /** When the oldest `requests` arrivals will all have left the rolling window. */
  rollingFreesRequestsAt(requests: number): number {
    const index = this.head + Math.max(1, requests) - 1;
    return index < this.times.length
      ? this.times[index] + MINUTE_MS
      : this.times[this.times.length - 1] + MINUTE_MS;
  }

  /** When enough of the oldest arrivals will have left the rolling window to free `tokens` tokens. */
  rollingFreesTokensAt(tokens: number): number {
    let freed = 0;
    for (let index = this.head; index < this.times.length; index += 1) {
      freed += this.tokens[index];
      if (freed >= tokens) return this.times[index] + MINUTE_MS;
    }
    return (this.times[this.times.length - 1] ?? this.minuteStartMs) + MINUTE_MS;
  }

  private compact(): void {
    this.times = this.times.slice(this.head);
    this.tokens = this.tokens.slice(this.head);
    this.head = 0;
  }
}
