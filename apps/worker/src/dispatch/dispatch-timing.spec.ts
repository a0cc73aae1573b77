import { DEFAULT_DISPATCH_TIMING, retryDelayMs } from './dispatch-timing';

describe('retryDelayMs', () => {
  const timing = { ...DEFAULT_DISPATCH_TIMING, retryBaseMs: 1000, retryMaxMs: 10_000 };

  it('doubles with each used attempt, up to the maximum', () => {
    const middle = () => 0.5; // no jitter
    expect([1, 2, 3, 4, 5, 6].map((attempt) => retryDelayMs(attempt, timing, middle))).toEqual([
      1000, 2000, 4000, 8000, 10_000, 10_000,
    ]);
  });

  it('jitters by ±20 %', () => {
    expect(retryDelayMs(2, timing, () => 0)).toBe(1600);
    expect(retryDelayMs(2, timing, () => 1)).toBe(2400);
  });
});
