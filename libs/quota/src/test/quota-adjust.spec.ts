import { QuotaTestKit, limits, reserved, waiting } from './quota-test-kit';

const SPAN = 61_000;

describe('QuotaEngine correct and release', () => {
  const kit = new QuotaTestKit();
  beforeEach(() => kit.thaw());
  afterAll(() => kit.close());

  const candidates = [limits('p1', 10, 1_000, 100, 10_000)];
  const usageOf = async (engine: ReturnType<QuotaTestKit['engine']>, model: string) =>
    (await engine.usage(model, candidates))[0];

  it('corrects upwards: the real count takes room from later requests', async () => {
    const engine = kit.engine();
    const first = reserved(await engine.reserve({ model: 'up', estimatedTokens: 100, candidates }));
    await engine.correct(first, 900);
    const usage = await usageOf(engine, 'up');
    expect(usage.window.tokens).toBe(900);
    expect(usage.today.tokens).toBe(900);
    expect(waiting(await engine.reserve({ model: 'up', estimatedTokens: 200, candidates })).retryAtMs).toBe(
      first.atMs + SPAN,
    );
    reserved(await engine.reserve({ model: 'up', estimatedTokens: 100, candidates }));
  });

  it('counts a reservation from when its request left: later than its stamp, never earlier, never after now', async () => {
    const engine = kit.engine();
    const one = [limits('p1', 1, 1_000_000)];
    const ask = (model: string) => engine.reserve({ model, estimatedTokens: 1, candidates: one });
    const start = await kit.freeze(engine);
    const cases = [
      { model: 'left-late', sentAt: start + 300, frees: start + 300 + SPAN },
      { model: 'left-early', sentAt: start - 500, frees: start + SPAN }, // before its stamp: the stamp holds
      { model: 'left-unknown', sentAt: 0, frees: start + SPAN },
      { model: 'not-yet', sentAt: start + 5_000, frees: start + 800 + SPAN }, // after now: now
    ];
    for (const { model, sentAt } of cases) {
      kit.jumpTo(start);
      const reservation = reserved(await ask(model));
      kit.jumpTo(start + 800);
      await engine.correct(reservation, 1, sentAt);
    }
    for (const { model, frees } of cases) expect(waiting(await ask(model)).retryAtMs).toBe(frees);
  });

  it('restamps a request that could not leave in time: counted from now, the same room, early in its window only', async () => {
    const engine = kit.engine();
    const one = [limits('p1', 1, 1_000_000)];
    const ask = (model: string) => engine.reserve({ model, estimatedTokens: 1, candidates: one });
    const start = await kit.freeze(engine);
    const late = reserved(await ask('restamp-early'));
    kit.jumpTo(start + 2_000);
    const moved = await engine.restamp(late);
    expect(moved).toEqual({ ...late, atMs: start + 2_000 });
    expect(waiting(await ask('restamp-early')).retryAtMs).toBe(start + 2_000 + SPAN);
    // It can be corrected afterwards, from its new stamp.
    await engine.correct(moved ?? late, 7);
    expect((await engine.usage('restamp-early', one))[0].window.tokens).toBe(7);
    // Past half its window, the moment it frees may have been booked: it stays where it is.
    kit.jumpTo(start);
    const old = reserved(await ask('restamp-old'));
    kit.jumpTo(start + 31_000);
    expect(await engine.restamp(old)).toBeNull();
    expect(waiting(await ask('restamp-old')).retryAtMs).toBe(start + SPAN);
  });

  it('leaves the stamp once half the window has passed: the moment it frees may be booked by then', async () => {
    const engine = kit.engine();
    const one = [limits('p1', 1, 1_000_000)];
    const start = await kit.freeze(engine);
    const reservation = reserved(await engine.reserve({ model: 'old', estimatedTokens: 1, candidates: one }));
    kit.jumpTo(start + 31_000);
    await engine.correct(reservation, 1, start + 31_000);
    expect(
      waiting(await engine.reserve({ model: 'old', estimatedTokens: 1, candidates: one })).retryAtMs,
    ).toBe(start + SPAN);
  });

  it('corrects downwards: the freed tokens can be reserved at once', async () => {
    const engine = kit.engine();
    const first = reserved(await engine.reserve({ model: 'down', estimatedTokens: 500, candidates }));
    expect((await engine.reserve({ model: 'down', estimatedTokens: 800, candidates })).kind).toBe('wait');
    await engine.correct(first, 100);
    reserved(await engine.reserve({ model: 'down', estimatedTokens: 800, candidates }));
    expect((await usageOf(engine, 'down')).window).toEqual({ requests: 2, tokens: 900 });
  });

  it('applies a correction once, whatever a second call says', async () => {
    const engine = kit.engine();
    const first = reserved(await engine.reserve({ model: 'idem', estimatedTokens: 100, candidates }));
    await engine.correct(first, 300);
    await engine.correct(first, 700);
    await engine.correct(first, 300);
    const usage = await usageOf(engine, 'idem');
    expect(usage.window.tokens).toBe(300);
    expect(usage.today.tokens).toBe(300);
  });

  it('release gives back request and tokens (window and day), once', async () => {
    const engine = kit.engine();
    const kept = reserved(await engine.reserve({ model: 'rel', estimatedTokens: 200, candidates }));
    const released = reserved(await engine.reserve({ model: 'rel', estimatedTokens: 300, candidates }));
    await engine.release(released);
    await engine.release(released);
    await engine.correct(released, 999); // a released reservation cannot be corrected back in
    const usage = await usageOf(engine, 'rel');
    expect(usage.window).toEqual({ requests: 1, tokens: kept.tokens });
    expect(usage.today).toEqual({ requests: 1, tokens: kept.tokens });
  });

  it('release after a correction gives back the corrected tokens', async () => {
    const engine = kit.engine();
    const first = reserved(await engine.reserve({ model: 'rel-cor', estimatedTokens: 200, candidates }));
    await engine.correct(first, 450);
    await engine.release(first);
    const usage = await usageOf(engine, 'rel-cor');
    expect(usage.window).toEqual({ requests: 0, tokens: 0 });
    expect(usage.today).toEqual({ requests: 0, tokens: 0 });
  });

  it('a late correction (entry left the window) fixes only the day counter, once', async () => {
    const engine = kit.engine();
    const start = await kit.freeze(engine);
    const first = reserved(await engine.reserve({ model: 'late', estimatedTokens: 100, candidates }));
    kit.jumpTo(start + SPAN + 5_000);
    await engine.correct(first, 400);
    await engine.correct(first, 400);
    const usage = await usageOf(engine, 'late');
    expect(usage.window).toEqual({ requests: 0, tokens: 0 });
    expect(usage.today).toEqual({ requests: 1, tokens: 400 });
  });

  it('a late release gives back the day counters, once', async () => {
    const engine = kit.engine();
    const start = await kit.freeze(engine);
    const first = reserved(await engine.reserve({ model: 'late-rel', estimatedTokens: 100, candidates }));
    reserved(await engine.reserve({ model: 'late-rel', estimatedTokens: 50, candidates }));
    kit.jumpTo(start + SPAN + 5_000);
    await engine.release(first);
    await engine.release(first);
    expect((await usageOf(engine, 'late-rel')).today).toEqual({ requests: 1, tokens: 50 });
  });

  it('ignores corrections of reservations already forgotten (beyond retention)', async () => {
    const engine = kit.engine({ retentionMs: 10_000 });
    const start = await kit.freeze(engine);
    const first = reserved(await engine.reserve({ model: 'forgotten', estimatedTokens: 100, candidates }));
    kit.jumpTo(start + SPAN + 9_000); // left the window, still within retention
    reserved(await engine.reserve({ model: 'forgotten', estimatedTokens: 1, candidates }));
    kit.jumpTo(start + 2 * SPAN + 9_000); // the second one leaves too; the first is now past retention
    await engine.usage('forgotten', candidates);
    await engine.correct(first, 5_000);
    expect((await usageOf(engine, 'forgotten')).today).toEqual({ requests: 2, tokens: 101 });
  });

  it('a correction just within retention still counts', async () => {
    const engine = kit.engine({ retentionMs: 10_000 });
    const start = await kit.freeze(engine);
    const first = reserved(await engine.reserve({ model: 'kept', estimatedTokens: 100, candidates }));
    kit.jumpTo(start + SPAN + 9_999);
    await engine.correct(first, 300);
    expect((await usageOf(engine, 'kept')).today).toEqual({ requests: 1, tokens: 300 });
  });
});
