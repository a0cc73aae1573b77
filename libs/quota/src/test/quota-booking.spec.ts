import type { QuotaEngine } from '../quota-engine';
import type { ProjectLimits } from '../quota-types';
import { QuotaTestKit, booked, limits, reserved, waiting } from './quota-test-kit';

const SPAN = 61_000; // default windowMs 60000 + headroomMs 1000
const AHEAD = 2_000;

/** Asks for `tokens` on `candidates` with a book-ahead of AHEAD. */
const booker =
  (engine: QuotaEngine, model: string, candidates: ProjectLimits[]) =>
  (tokens = 1) =>
    engine.reserve({ model, estimatedTokens: tokens, candidates, bookAheadMs: AHEAD });

describe('QuotaEngine bookings ahead', () => {
  const kit = new QuotaTestKit();
  beforeEach(() => kit.thaw());
  afterAll(() => kit.close());

  it('books the moments the oldest entries leave, one after another, and no more', async () => {
    const engine = kit.engine();
    const candidates = [limits('p1', 3, 1_000_000)];
    const ask = booker(engine, 'book-rpm', candidates);
    const start = await kit.freeze(engine);
    const first: number[] = [];
    for (const offset of [0, 500, 1_500]) {
      kit.jumpTo(start + offset);
      const now = booked(await ask());
      expect(now.dueInMs).toBe(0);
      first.push(now.atMs);
    }
    kit.jumpTo(start + SPAN - 1_000); // the first entry leaves in 1 s, the second in 1.5 s
    const a = booked(await ask());
    const b = booked(await ask());
    expect([a.atMs, b.atMs]).toEqual([first[0] + SPAN, first[1] + SPAN]);
    expect([a.dueInMs, b.dueInMs]).toEqual([1_000, 1_500]);
    // The third entry leaves 2.5 s from now, past the book-ahead: ask again when it is 2 s away.
    expect(waiting(await ask()).retryAtMs).toBe(first[2] + SPAN - AHEAD);
    kit.jumpTo(first[2] + SPAN - AHEAD);
    expect(booked(await ask()).atMs).toBe(first[2] + SPAN);
    // Every slot of the next window is booked: the next room is when the first booking leaves.
    expect(waiting(await ask()).retryAtMs).toBe(a.atMs + SPAN - AHEAD);
  });

  it('never lets any rolling window hold more than the limits, whatever mix of asks and bookings', async () => {
    const engine = kit.engine();
    const rpm = 5;
    const tpm = 1_000;
    const candidates = [limits('p1', rpm, tpm)];
    const start = await kit.freeze(engine);
    let now = start;
    let seed = 7;
    const random = () => (seed = (seed * 16_807) % 2_147_483_647) / 2_147_483_647;
    const entries: Array<{ atMs: number; tokens: number }> = [];
    let bookings = 0;
    const ask = booker(engine, 'book-mix', candidates);
    while (now < start + 4 * SPAN) {
      const tokens = 50 + Math.floor(random() * 300);
      const result = await ask(tokens);
      if (result.kind === 'reserved') {
        entries.push({ atMs: result.reservation.atMs, tokens });
        if (result.dueInMs > 0) bookings += 1;
        expect(result.reservation.atMs - now).toBeLessThanOrEqual(AHEAD);
      } else {
        expect(result.kind).toBe('wait');
      }
      now += Math.floor(random() * 1_500);
      kit.jumpTo(now);
    }
    expect(bookings).toBeGreaterThan(5); // the run did book ahead
    for (const entry of entries) {
      const inWindow = entries.filter((e) => e.atMs > entry.atMs - SPAN && e.atMs <= entry.atMs);
      expect(inWindow.length).toBeLessThanOrEqual(rpm);
      expect(inWindow.reduce((sum, e) => sum + e.tokens, 0)).toBeLessThanOrEqual(tpm);
    }
  });

  it('books the moment enough tokens leave the window', async () => {
    const engine = kit.engine();
    const candidates = [limits('p1', 100, 1_000)];
    const ask = booker(engine, 'book-tpm', candidates);
    const start = await kit.freeze(engine);
    const steps = [
      [0, 300],
      [400, 500],
      [800, 200],
    ] as const;
    const entries = (await kit.askAt(start, steps, ask)).map(reserved);
    kit.jumpTo(start + SPAN - 1_500);
    // 700 more tokens need the 300 and the 500 gone: booked when the 500 leaves.
    const big = booked(await ask(700));
    expect(big.atMs).toBe(entries[1].atMs + SPAN);
    // That booking counts: the 200 and the 700 fill 900, so 150 more waits for the 200 to leave.
    expect(waiting(await ask(150)).retryAtMs).toBe(entries[2].atMs + SPAN - AHEAD);
  });

  it('gives a released booking to the next caller', async () => {
    const engine = kit.engine();
    const candidates = [limits('p1', 1, 1_000_000)];
    const ask = booker(engine, 'book-release', candidates);
    const start = await kit.freeze(engine);
    reserved(await ask());
    kit.jumpTo(start + SPAN - 500);
    const booking = reserved(await ask());
    expect(waiting(await ask()).retryAtMs).toBe(booking.atMs + SPAN - AHEAD);
    await engine.release(booking);
    expect(booked(await ask()).atMs).toBe(booking.atMs);
  });

  it('never books past a block or a full day: those waits are the real moment', async () => {
    const engine = kit.engine();
    const start = await kit.freeze(engine);
    const askBlocked = booker(engine, 'book-block', [limits('p1', 1, 1_000_000)]);
    reserved(await askBlocked());
    await engine.block('p1', 'book-block', start + SPAN + 500, 'upstream 429');
    kit.jumpTo(start + SPAN - 500);
    expect(waiting(await askBlocked()).retryAtMs).toBe(start + SPAN + 500);

    const askDay = booker(engine, 'book-day', [limits('p1', 10, 1_000_000, 1)]);
    kit.jumpTo(start);
    reserved(await askDay());
    const wait = waiting(await askDay());
    expect(wait.waitMs).toBeGreaterThan(AHEAD); // until Pacific midnight, not within the book-ahead
  });

  it('books on the project whose room frees first', async () => {
    const engine = kit.engine();
    const candidates = [limits('p1', 1, 1_000_000), limits('p2', 1, 1_000_000)];
    const ask = booker(engine, 'book-choice', candidates);
    const start = await kit.freeze(engine);
    const onP = new Map<string, number>();
    for (const offset of [0, 700]) {
      kit.jumpTo(start + offset);
      const r = reserved(await ask());
      onP.set(r.projectId, r.atMs);
    }
    kit.jumpTo(start + SPAN - 100);
    const first = booked(await ask());
    expect(first.projectId).toBe([...onP].find(([, at]) => at === start)?.[0]);
    const second = booked(await ask());
    expect(second.atMs).toBe(start + 700 + SPAN);
  });
});
