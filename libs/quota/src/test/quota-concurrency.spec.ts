import type { ReserveResult } from '../quota-types';
import { QuotaTestKit, limits } from './quota-test-kit';

const CLIENTS = 20;
const CALLS_PER_CLIENT = 15;

describe('QuotaEngine under concurrency (many clients, one Redis)', () => {
  const kit = new QuotaTestKit();
  afterAll(() => kit.close());

  // Each engine has its own connection, like separate worker processes.
  const engines = () => Array.from({ length: CLIENTS }, () => kit.engine({}, kit.client()));

  async function storm(
    call: (engine: ReturnType<QuotaTestKit['engine']>, i: number) => Promise<ReserveResult>,
  ): Promise<ReserveResult[]> {
    const all = engines().flatMap((engine) =>
      Array.from({ length: CALLS_PER_CLIENT }, (_, i) => call(engine, i)),
    );
    return Promise.all(all);
  }

  it('admits exactly the RPM limit, never more, across 20 clients', async () => {
    const candidates = [limits('p1', 100, 1_000_000)];
    const results = await storm((engine) =>
      engine.reserve({ model: 'storm-rpm', estimatedTokens: 7, candidates }),
    );
    const admitted = results.filter((r) => r.kind === 'reserved');
    expect(admitted).toHaveLength(100);
    expect(results.filter((r) => r.kind === 'wait')).toHaveLength(CLIENTS * CALLS_PER_CLIENT - 100);
    const [usage] = await kit.engine().usage('storm-rpm', candidates);
    expect(usage.window).toEqual({ requests: 100, tokens: 700 });
  });

  it('fills several projects exactly to their limits and no further', async () => {
    const candidates = [limits('a', 30, 1_000_000), limits('b', 50, 1_000_000), limits('c', 20, 1_000_000)];
    const results = await storm((engine) =>
      engine.reserve({ model: 'storm-multi', estimatedTokens: 1, candidates }),
    );
    const perProject: Record<string, number> = {};
    for (const r of results) {
      if (r.kind === 'reserved')
        perProject[r.reservation.projectId] = (perProject[r.reservation.projectId] ?? 0) + 1;
    }
    expect(perProject).toEqual({ a: 30, b: 50, c: 20 });
  });

  it('never lets TPM overflow with requests of varied sizes', async () => {
    const candidates = [limits('p1', 1_000, 10_000)];
    const sizes = [37, 250, 999, 1, 480];
    const results = await storm((engine, i) =>
      engine.reserve({ model: 'storm-tpm', estimatedTokens: sizes[i % sizes.length], candidates }),
    );
    const reservedTokens = results.reduce(
      (sum, r) => sum + (r.kind === 'reserved' ? r.reservation.tokens : 0),
      0,
    );
    expect(reservedTokens).toBeLessThanOrEqual(10_000);
    // Once full, the smallest request (1 token) still fitting would have been taken: the pool is nearly full.
    expect(reservedTokens).toBeGreaterThan(10_000 - 999);
    const [usage] = await kit.engine().usage('storm-tpm', candidates);
    expect(usage.window.tokens).toBe(reservedTokens);
  });
});
