import { WriteQueueLimit } from './write-queue-limit';

describe('WriteQueueLimit', () => {
  const WINDOW = 500;

  it('starts at the initial value within [min, max], and at max when no window is guarded', () => {
    expect(new WriteQueueLimit(WINDOW, 500, 64).value).toBe(64);
    expect(new WriteQueueLimit(WINDOW, 40, 64).value).toBe(40);
    expect(new WriteQueueLimit(Infinity, 500, 64).value).toBe(500);
  });

  it('cuts once per quarter window when requests use over half their window', () => {
    let now = 0;
    const limit = new WriteQueueLimit(WINDOW, 500, 100, 8, () => now);
    for (let i = 0; i < 50; i++) limit.observe(400, 100); // one burst: one cut
    expect(limit.value).toBe(70);
    now += WINDOW / 4;
    limit.observe(400, 70);
    expect(limit.value).toBe(49);
    for (let i = 0; i < 20; i++) {
      now += WINDOW / 4;
      limit.observe(600, 10);
    }
    expect(limit.value).toBe(8); // never below min
  });

  it('grows one at a time while requests leave early with the limit in use, never while it sits unused', () => {
    const limit = new WriteQueueLimit(WINDOW, 70, 64);
    for (let i = 0; i < 10; i++) limit.observe(10, 1); // quiet: nothing queued
    expect(limit.value).toBe(64);
    for (let i = 0; i < 3; i++) limit.observe(10, 60);
    expect(limit.value).toBe(67);
    for (let i = 0; i < 10; i++) limit.observe(10, 60);
    expect(limit.value).toBe(70); // never above max
    limit.observe(200, 70); // between a quarter and a half: no change
    expect(limit.value).toBe(70);
  });
});
