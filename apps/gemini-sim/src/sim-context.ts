// What every route needs: the state, the (injectable) clock and dice, and cancellable waits.
import type { SimState } from './sim-state';

export class Delays {
  private readonly pending = new Map<NodeJS.Timeout, () => void>();

  wait(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(timer);
        resolve();
      }, ms);
      this.pending.set(timer, resolve);
    });
  }

  /** Ends every wait at once (on shutdown), so no timer keeps the process alive. */
  releaseAll(): void {
    for (const [timer, resolve] of this.pending) {
      clearTimeout(timer);
      resolve();
    }
    this.pending.clear();
  }
}

export interface SimContext {
  state: SimState;
  now(): number;
  random(): number;
  delays: Delays;
}

/** Uniform random upstream latency from the config. */
export function drawLatency(ctx: SimContext): number {
  const { min, max } = ctx.state.config.latencyMs;
  return max <= min ? min : min + ctx.random() * (max - min);
}
