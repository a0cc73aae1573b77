import { pacificDayBoundaries } from './pacific-day';

/** Caches the Pacific day boundaries while the clock stays inside the same day. */
export class DayBoundaryCache {
  private cached: number[] = [];

  constructor(private readonly provider: (aroundMs: number) => number[] = pacificDayBoundaries) {}

  around(atMs: number): number[] {
    // Boundaries are [yesterday, today, tomorrow, …]: reuse them while atMs is still "today".
    const [, today, tomorrow] = this.cached;
    if (this.provider === pacificDayBoundaries && today <= atMs && atMs < tomorrow) return this.cached;
    this.cached = this.provider(atMs);
    return this.cached;
  }
}
