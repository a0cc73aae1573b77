import { PacificDayClock, pacificDayAt } from './pacific-day';

const iso = (ms: number) => new Date(ms).toISOString();

describe('pacificDayAt', () => {
  it('a winter day runs from 08:00Z to 08:00Z', () => {
    const day = pacificDayAt(Date.parse('2026-01-15T12:00:00Z'));
    expect(day.date).toBe('2026-01-15');
    expect(iso(day.start)).toBe('2026-01-15T08:00:00.000Z');
    expect(iso(day.end)).toBe('2026-01-16T08:00:00.000Z');
  });

  it('the spring-forward day (2026-03-08) lasts 23 hours', () => {
    const day = pacificDayAt(Date.parse('2026-03-08T20:00:00Z'));
    expect(day.date).toBe('2026-03-08');
    expect(iso(day.start)).toBe('2026-03-08T08:00:00.000Z');
    expect(iso(day.end)).toBe('2026-03-09T07:00:00.000Z');
  });

  it('the fall-back day (2026-11-01) lasts 25 hours', () => {
    const day = pacificDayAt(Date.parse('2026-11-01T07:00:00Z'));
    expect(day.date).toBe('2026-11-01');
    expect(iso(day.start)).toBe('2026-11-01T07:00:00.000Z');
    expect(iso(day.end)).toBe('2026-11-02T08:00:00.000Z');
  });

  it('the last millisecond before Pacific midnight still belongs to the old day', () => {
    expect(pacificDayAt(Date.parse('2026-07-01T06:59:59.999Z')).date).toBe('2026-06-30');
    expect(pacificDayAt(Date.parse('2026-07-01T07:00:00.000Z')).date).toBe('2026-07-01');
  });

  it('the clock cache moves to the next day at its end', () => {
    const clock = new PacificDayClock();
    const first = clock.dayAt(Date.parse('2026-03-08T20:00:00Z'));
    expect(clock.dayAt(first.end - 1)).toBe(first);
    expect(clock.dayAt(first.end).date).toBe('2026-03-09');
  });
});
