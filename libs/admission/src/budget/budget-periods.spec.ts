import { limitsFor, periodSpan, usd } from './budget-periods';

describe('budget periods (UTC)', () => {
  it('a day runs from UTC midnight to the next', () => {
    const span = periodSpan('day', Date.parse('2026-12-31T23:59:59.999Z'));
    expect(span).toEqual({
      period: 'day',
      id: 'd2026-12-31',
      startMs: Date.parse('2026-12-31T00:00:00Z'),
      endMs: Date.parse('2027-01-01T00:00:00Z'),
    });
  });

  it('a month runs from the 1st to the 1st of the next (over a year end too)', () => {
    const span = periodSpan('month', Date.parse('2026-12-15T12:00:00Z'));
    expect(span.id).toBe('m2026-12');
    expect(new Date(span.startMs).toISOString()).toBe('2026-12-01T00:00:00.000Z');
    expect(new Date(span.endMs).toISOString()).toBe('2027-01-01T00:00:00.000Z');
    expect(new Date(periodSpan('month', Date.parse('2027-02-10T00:00:00Z')).endMs).toISOString()).toBe(
      '2027-03-01T00:00:00.000Z',
    );
  });

  it('applies the overall limits and the model’s own, in micro-dollars; none without a budget', () => {
    const now = Date.parse('2026-12-04T10:00:00Z');
    const budget = { dailyUsd: 2, monthlyUsd: null, models: { 'gemini-2.5-pro': { monthlyUsd: 0.5 } } };
    expect(
      limitsFor(budget, 'gemini-2.5-pro', now).map((l) => [l.model, l.span.period, l.limitMicros]),
    ).toEqual([
      [null, 'day', 2_000_000],
      ['gemini-2.5-pro', 'month', 500_000],
    ]);
    expect(limitsFor(budget, 'gemini-2.5-flash', now)).toHaveLength(1);
    expect(limitsFor(null, 'gemini-2.5-flash', now)).toEqual([]);
  });

  it('shows small amounts to a hundredth of a cent', () => {
    expect(usd(9_895)).toBe('$0.0099');
    expect(usd(250_000_000)).toBe('$250.00');
  });
});
