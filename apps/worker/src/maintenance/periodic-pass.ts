import type { Logger } from '@nestjs/common';

/**
 * A worker's periodic chore: `pass` every `everyMs`, never two at once in this process (a tick that
 * finds one running joins it), a failure logged as a warning and answered with `onFailure`. `stop()`
 * waits for the pass running, so a shutdown never cuts one in half.
 */
export class PeriodicPass<T> {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<T> | undefined;

  constructor(
    private readonly what: string,
    private readonly pass: () => Promise<T>,
    private readonly onFailure: T,
    private readonly logger: Logger,
  ) {}

  /** `unref`: the timer alone does not keep the process alive. */
  start(everyMs: number, { unref = false } = {}): void {
    this.timer = setInterval(() => void this.runOnce(), everyMs);
    if (unref) this.timer.unref();
  }

  runOnce(): Promise<T> {
    this.running ??= this.pass()
      .catch((error: unknown) => {
        this.logger.warn(`${this.what} failed: ${String(error)}`);
        return this.onFailure;
      })
      .finally(() => (this.running = undefined));
    return this.running;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
