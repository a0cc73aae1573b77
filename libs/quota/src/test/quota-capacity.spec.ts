import { QuotaTestKit, booked, limits, reserved } from './quota-test-kit';

const SPAN = 61_000; // default windowMs 60000 + headroomMs 1000
const AHEAD = 2_000;

describe('QuotaEngine.capacity: how much room there is, reserving nothing', () => {
  const kit = new QuotaTestKit();
  beforeEach(() => kit.thaw());
  afterAll(() => kit.close());

  it('counts the requests every candidate still admits, by RPM and by TPM, and reserves nothing', async () => {
    const engine = kit.engine();
    const candidates = [limits('p1', 10, 1_000_000), limits('p2', 100, 500)];
    const ask = (tokensPerRequest: number) =>
      engine.capacity({ model: 'cap-sum', tokensPerRequest, candidates });
    // p1: 10 requests; p2: 100 by RPM but 500 tokens / 50 = 10 by TPM.
    expect(await ask(50)).toEqual({ room: 20 });
    expect(await ask(50)).toEqual({ room: 20 }); // asking took nothing
    reserved(await engine.reserve({ model: 'cap-sum', estimatedTokens: 100, candidates: [candidates[1]] }));
    expect(await ask(50)).toEqual({ room: 18 }); // p2 has 400 tokens left: 8
    // The share kept for interactive calls is not batch room.
    expect(
      await engine.capacity({ model: 'cap-sum', tokensPerRequest: 50, candidates, capacityShare: 0.5 }),
    ).toEqual({
      room: 5 + 3,
    });
  });

  it('counts what may be booked within the book-ahead, and says when room comes back', async () => {
    const engine = kit.engine();
    const candidates = [limits('p1', 3, 1_000_000)];
    const start = await kit.freeze(engine);
    const sent: number[] = [];
    for (const offset of [0, 500, 2_500]) {
      kit.jumpTo(start + offset);
      sent.push(booked(await engine.reserve({ model: 'cap-book', estimatedTokens: 1, candidates })).atMs);
    }
    const ask = () =>
      engine.capacity({ model: 'cap-book', tokensPerRequest: 1, candidates, bookAheadMs: AHEAD });
    kit.jumpTo(start + 3_000);
    expect(await ask()).toEqual({
      room: 0,
      retryAtMs: sent[0] + SPAN - AHEAD,
      waitMs: sent[0] + SPAN - AHEAD - (start + 3_000),
    });
    // 1.5 s before the first entry leaves, the next 2 s hold two departures (at +61.0 s and +61.5 s).
    kit.jumpTo(sent[0] + SPAN - 1_500);
    expect(await ask()).toEqual({ room: 2 });
  });

  it('a blocked project has no room until its block ends', async () => {
    const engine = kit.engine();
    const candidates = [limits('p1', 5, 1_000_000)];
    const now = await kit.freeze(engine);
    await engine.block('p1', 'cap-block', now + 30_000, 'test');
    expect(await engine.capacity({ model: 'cap-block', tokensPerRequest: 1, candidates })).toEqual({
      room: 0,
      retryAtMs: now + 30_000,
      waitMs: 30_000,
    });
  });
});
