import { ManualClock } from '@keyfleet/testing';
import { KeepWarm } from './keep-warm';

describe('KeepWarm (on a manual clock)', () => {
  it('refreshes while touched within its span, then stops until touched again', () => {
    const clock = new ManualClock();
    let refreshes = 0;
    const warm = new KeepWarm(10, 60, () => refreshes++, clock);
    warm.touch();
    clock.advance(45);
    expect(refreshes).toBe(4); // at 10, 20, 30, 40
    clock.advance(40); // the check at 70 finds the last touch more than 60 back: the timer stops
    expect(refreshes).toBe(6);
    expect(clock.timerCount).toBe(0);
    clock.advance(100);
    expect(refreshes).toBe(6);
    warm.touch();
    clock.advance(35);
    expect(refreshes).toBe(9);
    warm.stop();
  });

  it('keeps refreshing for as long as it is touched', () => {
    const clock = new ManualClock();
    let refreshes = 0;
    const warm = new KeepWarm(10, 60, () => refreshes++, clock);
    for (let i = 0; i < 10; i++) {
      warm.touch();
      clock.advance(50);
    }
    expect(refreshes).toBe(50);
    warm.stop();
  });

  it('does nothing before the first touch, and nothing after stop()', () => {
    const clock = new ManualClock();
    let refreshes = 0;
    const warm = new KeepWarm(5, 1000, () => refreshes++, clock);
    clock.advance(25);
    expect(refreshes).toBe(0);
    warm.touch();
    warm.stop();
    clock.advance(25);
    expect(refreshes).toBe(0);
    expect(clock.timerCount).toBe(0);
  });
});
