import { countsLine, formatDuration, progressOf, type BatchSnapshot } from './batch-progress';

const snapshot = (succeeded: number, failed: number, etaSeconds: number | null): BatchSnapshot => ({
  status: 'running',
  counts: { total: 100, pending: 100 - succeeded - failed, running: 0, succeeded, failed, cancelled: 0 },
  etaSeconds,
});

describe('watch progress', () => {
  it('measures the rate since watching began, and takes the later of the pool ETA and the rate ETA', () => {
    const first = snapshot(10, 0, null);
    const byRate = progressOf(first, snapshot(30, 10, 5), 10_000); // 30 done in 10 s: 3/s, 60 open → 20 s
    expect(byRate).toEqual({ done: 40, total: 100, percent: 40, ratePerSecond: 3, etaSeconds: 20 });
    expect(progressOf(first, snapshot(30, 10, 90), 10_000).etaSeconds).toBe(90); // the pool waits longer
    expect(progressOf(first, first, 0).etaSeconds).toBeNull();
    expect(progressOf(first, snapshot(90, 10, null), 1_000).etaSeconds).toBe(0);
  });

  it('writes counts, rate and ETA on one line', () => {
    const latest = snapshot(30, 10, null);
    expect(countsLine(latest, progressOf(snapshot(10, 0, null), latest, 10_000))).toBe(
      '40/100 | ok 30 failed 10 running 0 pending 60 | 3.0/s | ETA 20s',
    );
    expect([formatDuration(59.6), formatDuration(61), formatDuration(3725), formatDuration(null)]).toEqual([
      '1m00s',
      '1m01s',
      '1h02m',
      '?',
    ]);
  });
});
