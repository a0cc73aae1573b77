import { QuotaTestKit, limits, reserved, waiting } from './quota-test-kit';

const SPAN = 61_000; // default windowMs 60000 + headroomMs 1000

describe('QuotaEngine rolling windows', () => {
  const kit = new QuotaTestKit();
  beforeEach(() => kit.thaw());
  afterAll(() => kit.close());

  it('admits exactly up to the RPM limit and names when the oldest entry leaves', async () => {
    const engine = kit.engine();
    const candidates = [limits('p1', 3, 1_000_000)];
    const ask = () => engine.reserve({ model: 'rpm-edge', estimatedTokens: 10, candidates });
    const first = reserved(await ask());
    reserved(await ask());
    reserved(await ask());
    const wait = waiting(await ask());
    expect(wait.retryAtMs).toBe(first.atMs + SPAN);
    expect(wait.waitMs).toBeGreaterThan(SPAN - 5_000);

    kit.jumpTo(wait.retryAtMs - 1);
    expect(waiting(await ask()).retryAtMs).toBe(first.atMs + SPAN);
    kit.jumpTo(wait.retryAtMs);
    reserved(await ask());
  });

  it('keeps every rolling window under the limit as entries age out one by one', async () => {
    const engine = kit.engine();
    const candidates = [limits('p1', 3, 1_000_000)];
    const ask = () => engine.reserve({ model: 'rpm-roll', estimatedTokens: 1, candidates });
    const start = await kit.freeze(engine);
    const atMs: number[] = [];
    for (const offset of [0, 10_000, 20_000]) {
      kit.jumpTo(start + offset);
      atMs.push(reserved(await ask()).atMs);
    }
    kit.jumpTo(start + 40_000);
    expect(waiting(await ask()).retryAtMs).toBe(atMs[0] + SPAN);

    kit.jumpTo(atMs[0] + SPAN);
    reserved(await ask());
    // The window now holds the entries from +10 s, +20 s and the new one: next room when +10 s leaves.
    expect(waiting(await ask()).retryAtMs).toBe(atMs[1] + SPAN);
  });

  it('binds on TPM with varied sizes: exactly at the limit admits, the wait frees just enough', async () => {
    const engine = kit.engine();
    const candidates = [limits('p1', 100, 1_000)];
    const ask = (tokens: number) => engine.reserve({ model: 'tpm', estimatedTokens: tokens, candidates });
    const start = await kit.freeze(engine);
    const steps = [
      [0, 300],
      [5_000, 500],
      [10_000, 200],
    ] as const;
    const entries = (await kit.askAt(start, steps, ask)).map(reserved);
    expect(entries.map((r) => r.tokens)).toEqual([300, 500, 200]);
    // 1000 used: one token more needs the 300 to leave; 450 more needs 300 + 500 to leave.
    expect(waiting(await ask(1)).retryAtMs).toBe(entries[0].atMs + SPAN);
    expect(waiting(await ask(450)).retryAtMs).toBe(entries[1].atMs + SPAN);
    expect(waiting(await ask(1_000)).retryAtMs).toBe(entries[2].atMs + SPAN);

    kit.jumpTo(entries[0].atMs + SPAN);
    reserved(await ask(300));
    expect(waiting(await ask(1)).retryAtMs).toBe(entries[1].atMs + SPAN);
  });

  it('answers impossible when the tokens exceed every candidate, or there is no candidate', async () => {
    const engine = kit.engine();
    const small = [limits('p1', 10, 500), limits('p2', 10, 800)];
    const tooBig = await engine.reserve({ model: 'imp', estimatedTokens: 801, candidates: small });
    expect(tooBig.kind).toBe('impossible');
    expect(tooBig.kind === 'impossible' && tooBig.reason).toContain('801 tokens exceed');
    expect((await engine.reserve({ model: 'imp', estimatedTokens: 1, candidates: [] })).kind).toBe(
      'impossible',
    );
    const tpd = [limits('p1', 10, 10_000, null, 700)];
    expect((await engine.reserve({ model: 'imp', estimatedTokens: 701, candidates: tpd })).kind).toBe(
      'impossible',
    );
    // Fits one candidate: reserved there, never on the smaller one.
    expect(
      reserved(await engine.reserve({ model: 'imp', estimatedTokens: 800, candidates: small })).projectId,
    ).toBe('p2');
    // A full candidate that could pass later makes it a wait, not impossible.
    expect((await engine.reserve({ model: 'imp', estimatedTokens: 800, candidates: small })).kind).toBe(
      'wait',
    );
  });

  it('rolls a tiny real-time window (no clock shift)', async () => {
    const engine = kit.engine({ windowMs: 300, headroomMs: 50, testClock: () => 0 });
    const candidates = [limits('p1', 1, 1_000)];
    const ask = () => engine.reserve({ model: 'tiny', estimatedTokens: 5, candidates });
    const first = reserved(await ask());
    const wait = waiting(await ask());
    expect(wait.retryAtMs).toBe(first.atMs + 350);
    await new Promise((resolve) => setTimeout(resolve, wait.waitMs + 20));
    expect(reserved(await ask()).atMs).toBeGreaterThanOrEqual(wait.retryAtMs);
  });

  it('rejects invalid input with a typed error', async () => {
    const engine = kit.engine();
    const candidates = [limits('p1', 1, 1_000)];
    await expect(engine.reserve({ model: 'bad', estimatedTokens: -1, candidates })).rejects.toThrow(
      'estimatedTokens',
    );
    await expect(
      engine.reserve({ model: 'bad', estimatedTokens: 1, candidates, capacityShare: 0 }),
    ).rejects.toThrow('capacityShare');
  });
});
