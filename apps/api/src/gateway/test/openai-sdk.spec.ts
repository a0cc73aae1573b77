// The official openai SDK against keyfleet: only baseURL and apiKey change.
import { createHash } from 'node:crypto';
import OpenAI, { APIError, RateLimitError } from 'openai';
import { bootGateway, FLASH, simProject, type Gateway } from './gateway-harness';

const LITE = 'gemini-2.5-flash-lite'; // one request a minute in the whole pool
const KEYS = { a: 'AQ.Ab8OpenAiProjectA0000001', b: 'AQ.Ab8OpenAiProjectB0000002' };
const BIG = { rpm: 1000, tpm: 1_000_000, rpd: 100_000 };
const ONE = { rpm: 1, tpm: 1_000_000, rpd: 100_000 };

const simAnswer = (prompt: string) => `sim:${createHash('sha1').update(prompt).digest('hex').slice(0, 12)}`;

describe('openai SDK against keyfleet (OpenAI-compatible endpoints)', () => {
  let gw: Gateway;
  let client: OpenAI;
  const sdk = (apiKey: string) => new OpenAI({ apiKey, baseURL: `${gw.url}/v1`, maxRetries: 0 });

  beforeAll(async () => {
    gw = await bootGateway(
      {
        projects: [
          simProject('sim-a', { [FLASH]: BIG, [LITE]: ONE }, [KEYS.a]),
          simProject('sim-b', { [FLASH]: BIG }, [KEYS.b]),
        ],
      },
      { KF_INTERACTIVE_MAX_WAIT_MS: '500' },
    );
    await gw.addProject('project-a', { [FLASH]: BIG, [LITE]: ONE }, [KEYS.a]);
    await gw.addProject('project-b', { [FLASH]: BIG }, [KEYS.b]);
    client = sdk(gw.clientKey);
  }, 60_000);
  afterAll(() => gw?.close());

  it('chat.completions.create answers with the upstream text and usage', async () => {
    const completion = await client.chat.completions.create({
      model: FLASH,
      messages: [{ role: 'user', content: 'hello from openai' }],
    });
    expect(completion.choices[0].message.content).toBe(simAnswer('hello from openai'));
    expect(completion.usage?.prompt_tokens).toBeGreaterThan(0);
  });

  it('streams chunks that add up to the same answer', async () => {
    const stream = await client.chat.completions.create({
      model: FLASH,
      stream: true,
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: 'stream it' },
      ],
    });
    let text = '';
    let chunks = 0;
    for await (const chunk of stream) {
      chunks++;
      text += chunk.choices[0]?.delta?.content ?? '';
    }
    expect(chunks).toBeGreaterThanOrEqual(2);
    expect(text).toBe(simAnswer('be brief\nstream it'));
  });

  it('lists the models the pool serves', async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids.sort()).toEqual([FLASH, LITE]);
  });

  it('a bad key raises AuthenticationError (401); an unknown model NotFoundError (404)', async () => {
    const bad: unknown = await sdk('kf_wrong')
      .chat.completions.create({ model: FLASH, messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((bad as APIError).status).toBe(401);
    const unknown: unknown = await client.chat.completions
      .create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(OpenAI.NotFoundError);
    expect((unknown as APIError).code).toBe('model_not_found');
  });

  it('past the wait: RateLimitError (429) with Retry-After, in OpenAI’s error shape', async () => {
    await client.chat.completions.create({ model: LITE, messages: [{ role: 'user', content: 'first' }] });
    const refused: unknown = await client.chat.completions
      .create({ model: LITE, messages: [{ role: 'user', content: 'second' }] })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(OpenAI.RateLimitError);
    const error = refused as RateLimitError;
    expect(error.code).toBe('rate_limit_exceeded');
    expect(Number(error.headers.get('retry-after'))).toBeGreaterThan(50);
    expect((await gw.sim.stats()).totals.refused429).toBe(0);
  });

  it('absorbs an upstream 429 and shows other upstream errors in OpenAI’s shape', async () => {
    await gw.sim.setFaults({ script: [{ status: 429, count: 1, projectId: 'sim-b', model: FLASH }] });
    for (let i = 0; i < 3; i++) {
      const done = await client.chat.completions.create({
        model: FLASH,
        messages: [{ role: 'user', content: `absorbed ${i}` }],
      });
      expect(done.choices[0].message.content).toBe(simAnswer(`absorbed ${i}`));
    }
    expect((await gw.sim.stats()).projects['sim-b'][FLASH].refused429).toBe(1);

    await gw.sim.setFaults({ script: [{ status: 500, count: 1, model: FLASH }] });
    const failed: unknown = await client.chat.completions
      .create({ model: FLASH, messages: [{ role: 'user', content: 'boom' }] })
      .catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(OpenAI.InternalServerError);
    expect((failed as APIError).message).toContain('An internal error has occurred');
    expect((failed as APIError).type).toBe('server_error');
    await gw.sim.setFaults({});
  });
});
