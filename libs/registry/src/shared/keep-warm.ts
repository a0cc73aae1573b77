import { systemClock, type Clock } from './clock';

/** How often the caches check whether they are about to expire: well within their refresh-ahead margin. */
export const KEEP_WARM_CHECK_MS = 250;
/** A cache used within this long is kept fresh; past it, the next call reads Postgres again. */
export const KEEP_WARM_FOR_MS = 5 * 60_000;

/**
 * Calls `refresh` every `everyMs` for as long as `touch()` was called within the last `forMs`. A cache
 * used now and then is then kept fresh in the background, and the first call after a quiet spell does
 * not wait on Postgres (that wait was the gateway's slowest calls).
 */
export class KeepWarm {
  private stopTimer: (() => void) | undefined;
  private touchedAt = 0;

  constructor(
    private readonly everyMs: number,
    private readonly forMs: number,
    private readonly refresh: () => void,
    private readonly clock: Clock = systemClock,
  ) {}

  /** The cache was used now: keep it warm for `forMs` from here. */
  touch(now = this.clock.now()): void {
    this.touchedAt = now;
    if (this.stopTimer) return;
    this.stopTimer = this.clock.every(this.everyMs, () => {
      if (this.clock.now() - this.touchedAt > this.forMs) this.stop();
      else this.refresh();
    });
  }

  stop(): void {
    this.stopTimer?.();
    this.stopTimer = undefined;
  }
}
