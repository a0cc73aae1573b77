import { QuotaTestKit, limits, reserved, waiting } from './quota-test-kit';

const BIG = 1_000_000_000;

function countBy(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

describe('QuotaEngine candidate choice, blocks and capacity share', () => {
  const kit = new QuotaTestKit();
  beforeEach(() => kit.thaw());
  afterAll(() => kit.close());

  it('spreads load over projects in proportion to their limits', async () => {
    const engine = kit.engine();
    const candidates = [limits('small', 100, BIG), limits('medium', 200, BIG), limits('large', 300, BIG)];
    const chosen: string[] = [];
    for (let i = 0; i < 300; i++) {
      chosen.push(
        reserved(await engine.reserve({ model: 'spread', estimatedTokens: 10, candidates })).projectId,
      );
    }
    const counts = countBy(chosen);
    expect(Math.abs(counts.small - 50)).toBeLessThanOrEqual(1);
    expect(Math.abs(counts.medium - 100)).toBeLessThanOrEqual(1);
    expect(Math.abs(counts.large - 150)).toBeLessThanOrEqual(1);
  });

  it('picks the project whose tightest dimension has the most room', async () => {
    const engine = kit.engine();
    // "rpm-rich" has many requests left but few tokens; "tpm-rich" the opposite.
    const candidates = [limits('rpm-rich', 1_000, 1_000), limits('tpm-rich', 10, 100_000)];
    const first = reserved(await engine.reserve({ model: 'tight', estimatedTokens: 500, candidates }));
    expect(first.projectId).toBe('tpm-rich'); // rpm-rich would be left with 50 % of its TPM, tpm-rich with 90 % RPM
  });

  it('rotates the starting candidate so that ties do not always go to the first one', async () => {
    const engine = kit.engine();
    const candidates = [limits('a', 10, BIG), limits('b', 10, BIG)];
    const chosen: string[] = [];
    for (let i = 0; i < 6; i++) {
      const reservation = reserved(await engine.reserve({ model: 'ties', estimatedTokens: 1, candidates }));
      chosen.push(reservation.projectId);
      await engine.release(reservation); // back to a tie
    }
    expect(countBy(chosen)).toEqual({ a: 3, b: 3 });
  });

  it('skips a blocked project, keeps the longer of two blocks, and waits for the earliest unblock', async () => {
    const engine = kit.engine();
    const now = await kit.freeze(engine);
    const candidates = [limits('a', 100, BIG), limits('b', 10, BIG)];
    const ask = () => engine.reserve({ model: 'blocks', estimatedTokens: 1, candidates });
    await engine.block('a', 'blocks', now + 30_000, 'GenerateRequestsPerMinutePerProjectPerModel');
    await engine.block('a', 'blocks', now + 5_000, 'shorter one loses');
    expect(await engine.blockedUntil('a', 'blocks')).toBe(now + 30_000);
    expect(await engine.blockedUntil('b', 'blocks')).toBeNull();
    expect(reserved(await ask()).projectId).toBe('b');

    await engine.block('b', 'blocks', now + 20_000, 'per-minute 429');
    expect(waiting(await ask()).retryAtMs).toBe(now + 20_000);
    kit.jumpTo(now + 30_000);
    expect(await engine.blockedUntil('a', 'blocks')).toBeNull();
    expect(reserved(await ask()).projectId).toBe('a');
  });

  it('lets a caller with capacityShare fill only its share, leaving the rest to full-share callers', async () => {
    const engine = kit.engine();
    const candidates = [limits('p1', 10, 1_000)];
    const batch = (tokens: number) =>
      engine.reserve({ model: 'share', estimatedTokens: tokens, candidates, capacityShare: 0.5 });
    const interactive = (tokens: number) =>
      engine.reserve({ model: 'share', estimatedTokens: tokens, candidates });
    for (let i = 0; i < 5; i++) reserved(await batch(10));
    expect((await batch(10)).kind).toBe('wait');
    for (let i = 0; i < 5; i++) reserved(await interactive(10));
    expect((await interactive(10)).kind).toBe('wait');
    // 600 tokens exceed the batch share of TPM (500) for ever, but not the full TPM.
    expect((await batch(600)).kind).toBe('impossible');
  });

  it('reports usage and what remains per project', async () => {
    const engine = kit.engine();
    const candidates = [limits('p1', 10, 1_000, 100, null)];
    reserved(await engine.reserve({ model: 'usage', estimatedTokens: 120, candidates }));
    reserved(await engine.reserve({ model: 'usage', estimatedTokens: 80, candidates }));
    const [usage] = await engine.usage('usage', candidates);
    expect(usage).toEqual({
      projectId: 'p1',
      model: 'usage',
      window: { requests: 2, tokens: 200 },
      today: { requests: 2, tokens: 200 },
      remaining: { rpm: 8, tpm: 800, rpd: 98, tpd: null },
      blockedUntil: null,
      // No prices given: no spend counted.
      spend: { scope: 'p:p1', windowMicros: 0, todayMicros: 0, remainingMicros: null },
    });
  });
});
