// Spend as a quota dimension: micro-dollars per rolling spend window, per project or billing group.
import type { ProjectLimits, SpendEstimate } from '../quota-types';
import { QuotaTestKit, limits, reserved, waiting } from './quota-test-kit';

const SPEND_WINDOW_MS = 600_000;
// gemini-2.5-flash list prices: $0.30 / $2.50 per million tokens = micro-dollars per token.
const FLASH: SpendEstimate = { input: 0.3, output: 2.5, outputTokens: 100 };
// 1,000 input tokens and 100 output tokens: 300 + 250 micro-dollars.
const COST = 550;

function spending(projectId: string, spendLimit: number, spendScope?: string): ProjectLimits {
  return { ...limits(projectId, 10_000, 10_000_000), spendLimit, spendScope };
}

describe('QuotaEngine spend dimension', () => {
  const kit = new QuotaTestKit();
  beforeEach(() => kit.thaw());
  afterAll(() => kit.close());

  const engine = () => kit.engine({ spendWindowMs: SPEND_WINDOW_MS });

  it('holds the estimated cost and waits when the spend window is full, until its oldest spend leaves', async () => {
    const e = engine();
    const candidates = [spending('p1', 3 * COST)];
    const start = await kit.freeze(e);
    const ask = () => e.reserve({ model: 'm-spend', estimatedTokens: 1_000, candidates, spend: FLASH });
    const first = reserved(await ask());
    expect(first.spend).toEqual({
      input: 0.3,
      output: 2.5,
      outputTokens: 100,
      micros: COST,
      scope: 'p:p1',
      limited: true,
    });
    kit.jumpTo(start + 10_000);
    reserved(await ask());
    reserved(await ask());
    kit.jumpTo(start + 20_000);
    const wait = waiting(await ask());
    // The first entry leaves the spend window (plus the 1 s headroom) 10 minutes after it was reserved.
    expect(wait.retryAtMs).toBe(start + SPEND_WINDOW_MS + 1_000);
    kit.jumpTo(start + SPEND_WINDOW_MS + 1_000);
    reserved(await ask());
    const [usage] = await e.usage('m-spend', candidates);
    expect(usage.spend).toEqual({
      scope: 'p:p1',
      windowMicros: 3 * COST,
      todayMicros: 4 * COST,
      remainingMicros: 0,
    });
  });

  it('corrects the held cost from usageMetadata (input, candidates + thoughts), once', async () => {
    const e = engine();
    const candidates = [spending('fix', 100_000)];
    const r = reserved(await e.reserve({ model: 'm-fix', estimatedTokens: 1_000, candidates, spend: FLASH }));
    // 1,200 real input tokens and 40 output tokens: 360 + 100.
    expect(await e.correct(r, 1_200, 0, 40)).toBe(COST - 460);
    await e.correct(r, 5_000, 0, 5_000);
    const [usage] = await e.usage('m-fix', candidates);
    expect(usage.spend.windowMicros).toBe(460);
    expect(usage.spend.todayMicros).toBe(460);
    expect(usage.window.tokens).toBe(1_200);
  });

  it('without output tokens the correction keeps the output estimate; a release gives the spend back', async () => {
    const e = engine();
    const candidates = [spending('rel', 100_000)];
    const ask = () => e.reserve({ model: 'm-rel', estimatedTokens: 1_000, candidates, spend: FLASH });
    const kept = reserved(await ask());
    await e.correct(kept, 2_000);
    await e.release(reserved(await ask()));
    const [usage] = await e.usage('m-rel', candidates);
    expect(usage.spend.windowMicros).toBe(600 + 250);
    expect(usage.spend.todayMicros).toBe(600 + 250);
  });

  it('a billing group shares one limit across its projects and models; another project keeps its own', async () => {
    const e = engine();
    const group = [spending('g1', 2 * COST, 'g:acct'), spending('g2', 2 * COST, 'g:acct')];
    const ask = (model: string, candidates: ProjectLimits[]) =>
      e.reserve({ model, estimatedTokens: 1_000, candidates, spend: FLASH });
    const a = reserved(await ask('m-a', [group[0]]));
    const b = reserved(await ask('m-b', [group[1]]));
    expect([a.spend?.scope, b.spend?.scope]).toEqual(['g:acct', 'g:acct']);
    // g1 and g2 have spent the group's limit between them, whatever the model.
    waiting(await ask('m-a', group));
    expect(
      (await e.capacity({ model: 'm-a', tokensPerRequest: 1_000, candidates: group, spendPerRequest: COST }))
        .room,
    ).toBe(0);
    const alone = spending('solo', 2 * COST);
    expect(reserved(await ask('m-a', [...group, alone])).projectId).toBe('solo');
    const usage = await e.usage('m-a', [...group, alone]);
    expect(usage.map((u) => [u.spend.scope, u.spend.windowMicros, u.spend.todayMicros])).toEqual([
      ['g:acct', 2 * COST, COST],
      ['g:acct', 2 * COST, COST],
      ['p:solo', COST, COST],
    ]);
  });

  it('capacity counts the spend room once per billing group', async () => {
    const e = engine();
    const candidates = [
      spending('c1', 5 * COST, 'g:shared'),
      spending('c2', 5 * COST, 'g:shared'),
      spending('c3', 3 * COST),
    ];
    const room = await e.capacity({
      model: 'm-cap',
      tokensPerRequest: 1_000,
      candidates,
      spendPerRequest: COST,
    });
    expect(room.room).toBe(5 + 3);
    // Without a cost the spend limit is not what binds.
    expect((await e.capacity({ model: 'm-cap', tokensPerRequest: 1_000, candidates })).room).toBeGreaterThan(
      1_000,
    );
  });

  it('an input costing more than the spend limit can never pass; a guessed output above it holds the limit', async () => {
    const e = engine();
    const ask = (spendLimit: number) =>
      e.reserve({
        model: 'm-big',
        estimatedTokens: 1_000,
        candidates: [spending(`big-${spendLimit}`, spendLimit)],
        spend: FLASH,
      });
    expect((await ask(299)).kind).toBe('impossible'); // 1,000 input tokens cost 300
    // 300 + 250 estimated exceed 400: the request holds the whole window (400) until it is corrected.
    const held = reserved(await ask(400));
    expect(held.spend?.micros).toBe(400);
  });

  it('after Redis lost the windows, each process puts its spend back (window and day), once', async () => {
    const e = engine();
    const candidates = [spending('r1', 4 * COST, 'g:lost')];
    const ask = (model: string) => e.reserve({ model, estimatedTokens: 1_000, candidates, spend: FLASH });
    reserved(await ask('m-lost-a'));
    const fixed = reserved(await ask('m-lost-b'));
    await e.correct(fixed, 1_000, 0, 0); // 300
    reserved(await ask('m-lost-a'));
    const spendOf = async () => (await e.usage('m-lost-a', candidates))[0].spend;
    const before = await spendOf();
    expect(before).toMatchObject({ windowMicros: 2 * COST + 300, todayMicros: 2 * COST + 300 });

    await kit.flush();
    const held = waiting(await ask('m-lost-a'));
    expect(held.waitMs).toBeGreaterThan(1_000);
    await new Promise((resolve) => setTimeout(resolve, held.waitMs + 50));
    // Model b's epoch is found lost by the check every 500 ms; both replays put their spend back.
    await new Promise((resolve) => setTimeout(resolve, 700));
    await e.recovery.settled();
    expect(await spendOf()).toEqual(before);
    // The group's limit still binds as before the loss: one more request fits, not four.
    reserved(await ask('m-lost-a'));
    waiting(await ask('m-lost-a'));
  }, 15_000);
});
