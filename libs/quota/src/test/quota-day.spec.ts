import { QuotaTestKit, limits, reserved, waiting } from './quota-test-kit';

const utc = (iso: string) => Date.parse(iso);
const BIG = 1_000_000;

describe('QuotaEngine per-day limits (Pacific midnight)', () => {
  const kit = new QuotaTestKit();
  beforeEach(() => kit.thaw());
  afterAll(() => kit.close());

  it('resets RPD at the midnight that ends the 23-hour spring-forward day', async () => {
    const engine = kit.engine();
    const candidates = [limits('p1', BIG, BIG, 2)];
    const ask = () => engine.reserve({ model: 'spring', estimatedTokens: 1, candidates });
    kit.jumpTo(utc('2026-03-08T08:00:00Z')); // 00:00 PST, the day's start
    expect(reserved(await ask()).dayStartMs).toBe(utc('2026-03-08T08:00:00Z'));
    kit.jumpTo(utc('2026-03-09T06:59:59.999Z')); // 23:59:59.999 PDT, still the same day
    expect(reserved(await ask()).dayStartMs).toBe(utc('2026-03-08T08:00:00Z'));
    expect(waiting(await ask()).retryAtMs).toBe(utc('2026-03-09T07:00:00Z'));

    kit.jumpTo(utc('2026-03-09T07:00:00Z'));
    const next = reserved(await ask());
    expect(next.dayStartMs).toBe(utc('2026-03-09T07:00:00Z'));
  });

  it('keeps counting through the 25-hour fall-back day', async () => {
    const engine = kit.engine();
    const candidates = [limits('p1', BIG, BIG, 1)];
    const ask = () => engine.reserve({ model: 'fall', estimatedTokens: 1, candidates });
    kit.jumpTo(utc('2026-11-01T08:30:00Z')); // 01:30 PDT
    expect(reserved(await ask()).dayStartMs).toBe(utc('2026-11-01T07:00:00Z'));
    kit.jumpTo(utc('2026-11-02T07:30:00Z')); // 23:30 PST, 24.5 h into the day
    expect(waiting(await ask()).retryAtMs).toBe(utc('2026-11-02T08:00:00Z'));
    kit.jumpTo(utc('2026-11-02T08:00:00Z'));
    expect(reserved(await ask()).dayStartMs).toBe(utc('2026-11-02T08:00:00Z'));
  });

  it('waits for the later of midnight and the rolling window when both bind', async () => {
    const engine = kit.engine();
    const candidates = [limits('p1', 1, BIG, 1)];
    const ask = () => engine.reserve({ model: 'both', estimatedTokens: 1, candidates });
    kit.jumpTo(utc('2026-01-16T07:59:30Z')); // 30 s before midnight PST
    const first = reserved(await ask());
    expect(waiting(await ask()).retryAtMs).toBe(first.atMs + 61_000);
  });

  it('binds on TPD and calls a request above it impossible', async () => {
    const engine = kit.engine();
    const candidates = [limits('p1', BIG, BIG, null, 100)];
    const ask = (tokens: number) => engine.reserve({ model: 'tpd', estimatedTokens: tokens, candidates });
    kit.jumpTo(utc('2026-06-10T12:00:00Z'));
    reserved(await ask(60));
    reserved(await ask(40));
    expect(waiting(await ask(1)).retryAtMs).toBe(utc('2026-06-11T07:00:00Z'));
    expect((await ask(101)).kind).toBe('impossible');
  });

  it('takes its day boundaries from an injected provider', async () => {
    const start = await kit.freeze(kit.engine());
    const boundaries = [start - 3_600_000, start + 1_500, start + 86_400_000];
    const engine = kit.engine({ dayBoundaries: () => boundaries });
    const candidates = [limits('p1', BIG, BIG, 1)];
    const ask = () => engine.reserve({ model: 'injected', estimatedTokens: 1, candidates });
    expect(reserved(await ask()).dayStartMs).toBe(boundaries[0]);
    expect(waiting(await ask()).retryAtMs).toBe(boundaries[1]);
    kit.jumpTo(boundaries[1]);
    expect(reserved(await ask()).dayStartMs).toBe(boundaries[1]);
  });

  it('refuses to guess when Redis time lies outside the given days', async () => {
    const engine = kit.engine({ dayBoundaries: () => [1_000, 2_000] });
    const candidates = [limits('p1', BIG, BIG, 1)];
    await expect(engine.reserve({ model: 'no-day', estimatedTokens: 1, candidates })).rejects.toThrow(
      'KF_QUOTA_DAY',
    );
  });
});
