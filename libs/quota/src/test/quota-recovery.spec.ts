// Redis loses the windows (FLUSHDB): each process puts its own reservations back before anything more is admitted.
import { QuotaTestKit, limits, reserved, waiting } from './quota-test-kit';

describe('QuotaEngine after Redis lost the windows', () => {
  const kit = new QuotaTestKit();
  beforeEach(() => kit.thaw());
  afterAll(() => kit.close());

  const candidates = [limits('p1', 4, 1_000, 100, 100_000), limits('p2', 2, 1_000, 100, 100_000)];
  const ask = (engine: ReturnType<QuotaTestKit['engine']>, model: string, tokens = 10) =>
    engine.reserve({ model, estimatedTokens: tokens, candidates });
  const windowOf = async (engine: ReturnType<QuotaTestKit['engine']>, model: string) =>
    (await engine.usage(model, candidates)).map((u) => [
      u.window.requests,
      u.window.tokens,
      u.today.requests,
    ]);

  it('the first process to notice holds admissions while every process replays; then the windows are as before', async () => {
    const busy = kit.engine();
    const idle = kit.engine(); // reserved once, then asks nothing: its check every 500 ms finds the loss
    const model = 'lost';
    for (let i = 0; i < 3; i++) reserved(await ask(busy, model));
    reserved(await ask(idle, model, 30));
    await busy.correct(reserved(await ask(busy, model)), 25);
    await busy.release(reserved(await ask(busy, model)));
    reserved(await ask(busy, model));
    // p1 4 + p2 2 hold 6 requests now; the released one is gone, not counted anywhere.
    const before = await windowOf(busy, model);
    expect(before.map((w) => w[0])).toEqual([4, 2]);
    expect(waiting(await ask(busy, model)).retryAtMs).toBeGreaterThan(0);

    await kit.flush();
    const held = waiting(await ask(busy, model));
    // Held while the processes put back what they reserved, not sent on to Google as an empty window would.
    expect(held.waitMs).toBeGreaterThan(1_000);
    expect(held.waitMs).toBeLessThanOrEqual(2_000);
    await new Promise((resolve) => setTimeout(resolve, held.waitMs + 50));
    await busy.recovery.settled();
    await idle.recovery.settled();
    expect(await windowOf(busy, model)).toEqual(before);
    // Still full: the next request waits for the window as it did before the loss.
    expect(waiting(await ask(busy, model)).waitMs).toBeGreaterThan(50_000);
  }, 15_000);

  it('a new deployment (no epoch yet) is not held: its first request goes at once', async () => {
    const fresh = kit.engine();
    const result = await ask(fresh, 'brand-new');
    expect(result.kind).toBe('reserved');
    expect((await fresh.capacity({ model: 'brand-new', tokensPerRequest: 10, candidates })).room).toBe(5);
  });

  it('a second loss replays again, and what was replayed once is not counted twice', async () => {
    const engine = kit.engine();
    const model = 'twice';
    for (let i = 0; i < 3; i++) reserved(await ask(engine, model));
    const before = await windowOf(engine, model);
    for (let round = 0; round < 2; round++) {
      await kit.flush();
      const held = waiting(await ask(engine, model));
      await new Promise((resolve) => setTimeout(resolve, held.waitMs + 50));
      await engine.recovery.settled();
      expect(await windowOf(engine, model)).toEqual(before);
    }
  }, 15_000);
});
