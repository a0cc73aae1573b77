import { KeepWarm } from './keep-warm';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('KeepWarm', () => {
  it('refreshes while touched within its span, then stops until touched again', async () => {
    let refreshes = 0;
    const warm = new KeepWarm(10, 60, () => refreshes++);
    warm.touch();
    await sleep(45);
    expect(refreshes).toBeGreaterThanOrEqual(2);
    await sleep(60); // past the span: the timer stops
    const stoppedAt = refreshes;
    await sleep(40);
    expect(refreshes).toBe(stoppedAt);
    warm.touch();
    await sleep(35);
    expect(refreshes).toBeGreaterThan(stoppedAt);
    warm.stop();
  });

  it('does nothing before the first touch, and nothing after stop()', async () => {
    let refreshes = 0;
    const warm = new KeepWarm(5, 1000, () => refreshes++);
    await sleep(25);
    expect(refreshes).toBe(0);
    warm.touch();
    warm.stop();
    await sleep(25);
    expect(refreshes).toBe(0);
  });
});
