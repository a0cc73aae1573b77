import { ModelLedger } from './quota-ledger';
import type { Reservation } from './quota-types';

const DAY = 1_000_000;
const at = (id: string, projectId: string, atMs: number, tokens: number): Reservation => ({
  id,
  model: 'm',
  projectId,
  tokens,
  atMs,
  dayStartMs: DAY,
});

describe('ModelLedger', () => {
  it('gives back what the windows of a new epoch lack, then counts it there', () => {
    const ledger = new ModelLedger(61_000);
    const a = at('a', 'p1', DAY + 10, 100);
    const b = at('b', 'p1', DAY + 20, 50);
    ledger.record(a, 'e1');
    ledger.record(b, 'e1');
    ledger.record(at('c', 'p2', DAY + 30, 5), 'e1');
    ledger.corrected(a, 120, DAY + 15);
    ledger.released(b);
    ledger.record(at('d', 'p1', DAY + 40, 7), 'e2'); // made under the new epoch: already there

    const groups = ledger.missingFrom('e2');
    expect(groups).toEqual([
      {
        projectId: 'p1',
        dayStartMs: DAY,
        day: { requests: 1, tokens: 120, micros: 0 },
        entries: [{ id: 'a', atMs: DAY + 15, tokens: 120, corrected: true, micros: 0, scope: '' }],
      },
      {
        projectId: 'p2',
        dayStartMs: DAY,
        day: { requests: 1, tokens: 5, micros: 0 },
        entries: [{ id: 'c', atMs: DAY + 30, tokens: 5, corrected: false, micros: 0, scope: '' }],
      },
    ]);
    ledger.movedTo('e2');
    expect(ledger.missingFrom('e2')).toEqual([]);
    // A later loss gives back the whole day, the new epoch's own reservation included.
    expect(ledger.missingFrom('e3').find((g) => g.projectId === 'p1')?.day).toEqual({
      requests: 2,
      tokens: 127,
      micros: 0,
    });
  });

  it('remembers spend (corrected, released) and keeps entries with spend for the spend window', () => {
    const ledger = new ModelLedger(61_000, 601_000);
    const spend = (micros: number) => ({
      input: 0.3,
      output: 2.5,
      outputTokens: 100,
      micros,
      scope: 'g:acct',
      limited: true,
    });
    const a = { ...at('a', 'p1', DAY + 10, 1_000), spend: spend(550) };
    const b = { ...at('b', 'p1', DAY + 20, 1_000), spend: spend(550) };
    ledger.record(a, 'e1');
    ledger.record(b, 'e1');
    ledger.corrected(a, 1_000, 0, 310);
    ledger.released(b);
    const [group] = ledger.missingFrom('e2');
    expect(group.day).toEqual({ requests: 1, tokens: 1_000, micros: 310 });
    expect(group.entries).toEqual([
      { id: 'a', atMs: DAY + 10, tokens: 1_000, corrected: true, micros: 310, scope: 'g:acct' },
    ]);
    // Out of the 61 s window but still in the 10-minute spend window: remembered.
    ledger.prune(DAY + 300_000, DAY);
    expect(ledger.size).toBe(1);
    ledger.prune(DAY + 601_010, DAY);
    expect(ledger.size).toBe(0);
  });

  it('forgets entries once they left every window, and days before the current one', () => {
    const ledger = new ModelLedger(61_000);
    ledger.record(at('old', 'p1', DAY + 10, 1), 'e1');
    ledger.record(at('new', 'p1', DAY + 50_000, 1), 'e1');
    ledger.prune(DAY + 61_010, DAY);
    expect(ledger.size).toBe(1);
    expect(ledger.missingFrom('e2')[0].day.requests).toBe(2);
    ledger.prune(DAY + 200_000, DAY + 100_000);
    expect(ledger.size).toBe(0);
    expect(ledger.missingFrom('e2')).toEqual([]);
  });
});
