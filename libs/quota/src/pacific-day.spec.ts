import { nextPacificMidnight, pacificDayBoundaries, pacificDayStart } from './pacific-day';

const HOUR = 3_600_000;
const utc = (iso: string) => Date.parse(iso);

describe('pacificDayStart / nextPacificMidnight', () => {
  it('uses PST (UTC-8) in winter and PDT (UTC-7) in summer', () => {
    expect(pacificDayStart(utc('2026-01-15T20:00:00Z'))).toBe(utc('2026-01-15T08:00:00Z'));
    expect(pacificDayStart(utc('2026-07-15T20:00:00Z'))).toBe(utc('2026-07-15T07:00:00Z'));
  });

  it('puts a UTC time that is still the previous evening in Los Angeles on the previous day', () => {
    // 05:00Z on Jan 16 is 21:00 on Jan 15 in Los Angeles.
    expect(pacificDayStart(utc('2026-01-16T05:00:00Z'))).toBe(utc('2026-01-15T08:00:00Z'));
    expect(nextPacificMidnight(utc('2026-01-16T05:00:00Z'))).toBe(utc('2026-01-16T08:00:00Z'));
  });

  it('treats midnight itself as the start of the new day', () => {
    const midnight = utc('2026-01-15T08:00:00Z');
    expect(pacificDayStart(midnight)).toBe(midnight);
    expect(pacificDayStart(midnight - 1)).toBe(midnight - 24 * HOUR);
    expect(nextPacificMidnight(midnight)).toBe(midnight + 24 * HOUR);
    expect(nextPacificMidnight(midnight - 1)).toBe(midnight);
  });

  it('makes the spring-forward day (2026-03-08) 23 hours long', () => {
    const start = pacificDayStart(utc('2026-03-08T18:00:00Z'));
    expect(start).toBe(utc('2026-03-08T08:00:00Z'));
    const end = nextPacificMidnight(start);
    expect(end).toBe(utc('2026-03-09T07:00:00Z'));
    expect(end - start).toBe(23 * HOUR);
    // 01:59:59 PST and 03:00 PDT are one second apart and on the same day.
    expect(pacificDayStart(utc('2026-03-08T09:59:59Z'))).toBe(start);
    expect(pacificDayStart(utc('2026-03-08T10:00:00Z'))).toBe(start);
  });

  it('makes the fall-back day (2026-11-01) 25 hours long', () => {
    const start = pacificDayStart(utc('2026-11-01T12:00:00Z'));
    expect(start).toBe(utc('2026-11-01T07:00:00Z'));
    const end = nextPacificMidnight(start);
    expect(end).toBe(utc('2026-11-02T08:00:00Z'));
    expect(end - start).toBe(25 * HOUR);
    // 23:30 PST on Nov 1 is 24.5 h after the day began and still belongs to it.
    expect(pacificDayStart(utc('2026-11-02T07:30:00Z'))).toBe(start);
  });

  it('lists yesterday, today, tomorrow and the day after across a DST change', () => {
    expect(pacificDayBoundaries(utc('2026-03-08T12:00:00Z'))).toEqual([
      utc('2026-03-07T08:00:00Z'),
      utc('2026-03-08T08:00:00Z'),
      utc('2026-03-09T07:00:00Z'),
      utc('2026-03-10T07:00:00Z'),
    ]);
  });
});
