// Gemini's OpenAI-compatible endpoint: chat completions, SSE with [DONE], errors wrapped in an array.
import OpenAI from 'openai';
import { answerTextFor } from '../content';
import { startTestSim, T0, type TestSim } from './sim-harness';

const FLASH = 'gemini-2.5-flash';
const KEY = 'key-openai-0001';
const PATH = '/v1beta/openai/chat/completions';
interface ChatChunk {
  choices: { delta: { content: string }; finish_reason: string | null }[];
  usage?: { prompt_tokens: number };
}

const bearer = { authorization: `Bearer ${KEY}` };

describe('OpenAI-compatible chat completions', () => {
  let sim: TestSim;
  beforeAll(async () => {
    sim = await startTestSim({
      projects: [{ id: 'p', limits: { [FLASH]: { rpm: 4, tpm: 1e6, rpd: 1000 } }, keys: [KEY] }],
    });
  });
  afterAll(() => sim.close());
  beforeEach(async () => {
    sim.clock.advance(120_000);
    await sim.request('POST', '/sim/stats/reset');
  });

  it('answers the OpenAI shape with the same deterministic text and usage', async () => {
    const body = {
      model: FLASH,
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: 'hello there' },
      ],
    };
    const answer = await sim.request('POST', PATH, body, bearer);
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({
      choices: [
        {
          finish_reason: 'stop',
          index: 0,
          message: { content: answerTextFor(['be brief', 'hello there']), role: 'assistant' },
        },
      ],
      created: expect.any(Number),
      id: expect.any(String),
      model: FLASH,
      object: 'chat.completion',
      usage: { completion_tokens: 4, prompt_tokens: 5, total_tokens: 9 },
    });
  });

  it('streams chunks and ends with data: [DONE]', async () => {
    const answer = await sim.request(
      'POST',
      PATH,
      { model: FLASH, stream: true, messages: [{ role: 'user', content: 'hi' }] },
      bearer,
    );
    expect(answer.headers.get('content-type')).toBe('text/event-stream');
    const frames = answer.text.split('\n\n').filter(Boolean);
    expect(frames.at(-1)).toBe('data: [DONE]');
    const chunks = frames.slice(0, -1).map((f) => JSON.parse(f.slice('data: '.length)) as ChatChunk);
    expect(chunks.length).toBeGreaterThanOrEqual(2);
    expect(chunks.map((c) => c.choices[0].delta.content).join('')).toBe(answerTextFor(['hi']));
    expect(chunks.at(-1)?.choices[0].finish_reason).toBe('stop');
    expect(chunks.at(-1)?.usage?.prompt_tokens).toBe(1);
  });

  it('wraps errors in an array: invalid key, unknown model, 429', async () => {
    const badKey = await sim.request(
      'POST',
      PATH,
      { model: FLASH, messages: [{ role: 'user', content: 'x' }] },
      { authorization: 'Bearer nope' },
    );
    expect(badKey.status).toBe(400);
    expect(Array.isArray(badKey.json)).toBe(true);
    expect(badKey.json[0].error.details[0].reason).toBe('API_KEY_INVALID');
    const unknown = await sim.request(
      'POST',
      PATH,
      { model: 'gemini-0', messages: [{ role: 'user', content: 'x' }] },
      bearer,
    );
    expect(unknown.status).toBe(404);
    expect(unknown.json[0].error.status).toBe('NOT_FOUND');
    for (let i = 0; i < 4; i += 1)
      await sim.request(
        'POST',
        PATH,
        { model: FLASH, messages: [{ role: 'user', content: `m${i}` }] },
        bearer,
      );
    const refused = await sim.request(
      'POST',
      PATH,
      { model: FLASH, messages: [{ role: 'user', content: 'over' }] },
      bearer,
    );
    expect(refused.status).toBe(429);
    expect(refused.json).toHaveLength(1);
    expect(refused.json[0].error.status).toBe('RESOURCE_EXHAUSTED');
    expect(refused.json[0].error.details[0].violations[0].quotaId).toBe(
      'GenerateRequestsPerMinutePerProjectPerModel-FreeTier',
    );
  });

  it('works with the openai SDK', async () => {
    sim.clock.ms = T0 + 3_600_000;
    const client = new OpenAI({ apiKey: KEY, baseURL: `${sim.url}/v1beta/openai/`, maxRetries: 0 });
    const completion = await client.chat.completions.create({
      model: FLASH,
      messages: [{ role: 'user', content: 'sdk' }],
    });
    expect(completion.choices[0].message.content).toBe(answerTextFor(['sdk']));
    const stream = await client.chat.completions.create({
      model: FLASH,
      stream: true,
      messages: [{ role: 'user', content: 'sdk' }],
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    expect(text).toBe(answerTextFor(['sdk']));
  });
});
