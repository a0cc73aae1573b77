// Interactive calls under a spend limit: the reservation is corrected from the answer's usage (input, and
// output = candidates + thoughts), so keyfleet's count of the day equals what Google (the simulator) charged.
import { bootGateway, FLASH, simProject, type Gateway } from './gateway-harness';

const KEY = 'AQ.InteractiveSpendKey001';
const BIG = { rpm: 1000, tpm: 1_000_000, rpd: 100_000 };

interface SpendRow {
  projectName: string;
  spend: { todayMicros: number };
}

describe('interactive calls under a spend limit', () => {
  let gw: Gateway;

  beforeAll(async () => {
    gw = await bootGateway({
      projects: [{ ...simProject('sim-s', { [FLASH]: BIG }, [KEY]), spendLimitUsd: 10 }],
    });
    const project = await gw.api.admin<{ id: string }>('POST', '/projects', {
      name: 'spend-s',
      limits: { [FLASH]: BIG },
      spendLimitUsd: 10,
    });
    expect(project.status).toBe(201);
    await gw.api.admin('POST', `/projects/${project.body.id}/keys`, { secret: KEY });
  }, 60_000);
  afterAll(() => gw?.close());

  async function keyfleetToday(): Promise<number> {
    const { body } = await gw.api.admin<{ quota: SpendRow[] }>('GET', '/quota');
    return body.quota.find((row) => row.projectName === 'spend-s')?.spend.todayMicros ?? -1;
  }

  async function eventuallyEqual(expected: () => Promise<number>, actual: () => Promise<number>) {
    const deadline = Date.now() + 5000;
    for (;;) {
      const [want, got] = [await expected(), await actual()];
      if (want === got || Date.now() > deadline) return expect(got).toBe(want);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  const charged = async () => (await gw.sim.stats()).spend['sim-s']?.admittedMicros ?? -2;

  it('generateContent, whole and streamed: the day spend is what the upstream charged', async () => {
    const headers = { 'x-goog-api-key': gw.clientKey, 'content-type': 'application/json' };
    const body = JSON.stringify({ contents: [{ parts: [{ text: 'price this answer '.repeat(20) }] }] });
    const whole = await fetch(`${gw.url}/v1beta/models/${FLASH}:generateContent`, {
      method: 'POST',
      headers,
      body,
    });
    expect(whole.status).toBe(200);
    await whole.text();
    await eventuallyEqual(charged, keyfleetToday);
    const streamed = await fetch(`${gw.url}/v1/models/${FLASH}:streamGenerateContent?alt=sse`, {
      method: 'POST',
      headers,
      body,
    });
    expect(streamed.status).toBe(200);
    await streamed.text();
    await eventuallyEqual(charged, keyfleetToday);
    expect(await charged()).toBeGreaterThan(0);
  });

  it('the OpenAI-compatible chat too', async () => {
    const before = await charged();
    const answer = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gw.clientKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: FLASH, messages: [{ role: 'user', content: 'and this one' }] }),
    });
    expect(answer.status).toBe(200);
    await answer.text();
    await eventuallyEqual(charged, keyfleetToday);
    expect(await charged()).toBeGreaterThan(before);
  });
});
