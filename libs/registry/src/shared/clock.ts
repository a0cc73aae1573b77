import { Global, Module, type DynamicModule } from '@nestjs/common';

/**
 * Time for the caches: what time it is, and a repeating timer. Injected (CLOCK), so specs move time on
 * instead of sleeping through it (libs/testing's ManualClock).
 */
export interface Clock {
  now(): number;
  /** Calls `fn` every `ms` until the returned function is called; never what keeps a process alive. */
  every(ms: number, fn: () => void): () => void;
}

export const CLOCK = Symbol('CLOCK');

export const systemClock: Clock = {
  now: () => Date.now(),
  every: (ms, fn) => {
    const timer = setInterval(fn, ms);
    timer.unref();
    return () => clearInterval(timer);
  },
};

/**
 * Puts a clock into CLOCK for the whole application (global). Without it, everything that takes the
 * clock (@Optional) uses the system's; specs import it with a ManualClock.
 */
@Global()
@Module({})
export class ClockModule {
  static forRoot(clock: Clock = systemClock): DynamicModule {
    return { module: ClockModule, providers: [{ provide: CLOCK, useValue: clock }], exports: [CLOCK] };
  }
}
