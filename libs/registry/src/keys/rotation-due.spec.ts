import { drawRotationDueAt } from './rotation-due';

describe('drawRotationDueAt', () => {
  const issuedAt = new Date('2026-03-01T12:00:00Z');
  const window = { minDays: 7, maxDays: 15 };
  const daysAfter = (date: Date) => (date.getTime() - issuedAt.getTime()) / 86_400_000;

  it('maps the random draw linearly onto [minDays, maxDays]', () => {
    expect(daysAfter(drawRotationDueAt(issuedAt, window, () => 0))).toBe(7);
    expect(daysAfter(drawRotationDueAt(issuedAt, window, () => 0.5))).toBe(11);
    expect(daysAfter(drawRotationDueAt(issuedAt, window, () => 0.999999))).toBeCloseTo(15, 4);
  });

  it('spreads real draws over the window', () => {
    const days = Array.from({ length: 200 }, () => daysAfter(drawRotationDueAt(issuedAt, window)));
    expect(Math.min(...days)).toBeGreaterThanOrEqual(7);
    expect(Math.max(...days)).toBeLessThanOrEqual(15);
    expect(new Set(days.map((d) => Math.floor(d))).size).toBeGreaterThan(4);
  });

  it('honours a degenerate window', () => {
    expect(daysAfter(drawRotationDueAt(issuedAt, { minDays: 3, maxDays: 3 }))).toBe(3);
  });
});
