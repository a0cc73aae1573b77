// The Gemini REST surface: generateContent, SSE streaming, countTokens, models, unknown models, bad bodies.
import { createHash } from 'node:crypto';
import { startTestSim, textRequest, type TestSim } from './sim-harness';

const FLASH = 'gemini-2.5-flash';
const KEY = 'key-routes-0001';
const auth = { 'x-goog-api-key': KEY };

interface StreamChunk {
  candidates: { content: { parts: { text: string }[] }; finishReason?: string }[];
  usageMetadata?: { promptTokenCount: number };
  responseId: string;
}

const expectedText = (prompt: string) =>
  `sim:${createHash('sha1').update(prompt).digest('hex').slice(0, 12)}`;

describe('Gemini REST routes', () => {
  let sim: TestSim;
  beforeAll(async () => {
    sim = await startTestSim({
      projects: [
        {
          id: 'p',
          limits: {
            [FLASH]: { rpm: 1000, tpm: 1e6, rpd: 1e5 },
            'gemini-2.5-pro': { rpm: 5, tpm: 1e5, rpd: 100 },
          },
          keys: [KEY],
        },
      ],
    });
  });
  afterAll(() => sim.close());

  it('generateContent answers a deterministic candidate with usageMetadata', async () => {
    const prompt = 'Tell me about the ocean, in three words.'; // 40 chars = 10 tokens
    const answer = await sim.generate(KEY, prompt);
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({
      candidates: [
        {
          content: { parts: [{ text: expectedText(prompt) }], role: 'model' },
          finishReason: 'STOP',
          index: 0,
        },
      ],
      usageMetadata: {
        promptTokenCount: 10,
        candidatesTokenCount: 4,
        totalTokenCount: 14,
        promptTokensDetails: [{ modality: 'TEXT', tokenCount: 10 }],
      },
      modelVersion: FLASH,
      responseId: expect.any(String),
    });
  });

  it('counts systemInstruction text too, and accepts /v1', async () => {
    const body = {
      systemInstruction: { parts: [{ text: 'abcd' }] },
      contents: [{ parts: [{ text: 'efgh' }, { text: 'i' }] }],
    };
    const answer = await sim.request('POST', `/v1/models/${FLASH}:generateContent`, body, auth);
    expect(answer.json.usageMetadata.promptTokenCount).toBe(3);
    expect(answer.json.candidates[0].content.parts[0].text).toBe(expectedText('abcd\nefgh\ni'));
  });

  it('streamGenerateContent?alt=sse sends 3 data frames separated by CRLF CRLF, usage on the last', async () => {
    const prompt = 'stream me';
    const answer = await sim.request(
      'POST',
      `/v1beta/models/${FLASH}:streamGenerateContent?alt=sse`,
      textRequest(prompt),
      auth,
    );
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('text/event-stream');
    const frames = answer.text.split('\r\n\r\n');
    expect(frames.pop()).toBe('');
    expect(frames).toHaveLength(3);
    const chunks = frames.map((frame): StreamChunk => {
      expect(frame.startsWith('data: ')).toBe(true);
      return JSON.parse(frame.slice('data: '.length)) as StreamChunk;
    });
    expect(chunks.map((c) => c.candidates[0].content.parts[0].text).join('')).toBe(expectedText(prompt));
    expect(chunks.map((c) => c.usageMetadata)).toEqual([
      undefined,
      undefined,
      expect.objectContaining({ promptTokenCount: 3 }),
    ]);
    expect(chunks[2].candidates[0].finishReason).toBe('STOP');
    expect(new Set(chunks.map((c) => c.responseId)).size).toBe(1);
  });

  it('streamGenerateContent without alt=sse answers a JSON array of chunks', async () => {
    const answer = await sim.request(
      'POST',
      `/v1beta/models/${FLASH}:streamGenerateContent`,
      textRequest('x'),
      auth,
    );
    expect(answer.status).toBe(200);
    expect(answer.json).toHaveLength(3);
  });

  it('countTokens answers totalTokens and does not use quota', async () => {
    const before = await sim.stats();
    const body = { contents: [{ parts: [{ text: '123456789' }] }] };
    const answer = await sim.request('POST', `/v1beta/models/${FLASH}:countTokens`, body, auth);
    expect(answer.status).toBe(200);
    expect(answer.json.totalTokens).toBe(3);
    const nested = {
      generateContentRequest: {
        model: `models/${FLASH}`,
        ...body,
        systemInstruction: { parts: [{ text: 'abc' }] },
      },
    };
    expect(
      (await sim.request('POST', `/v1beta/models/${FLASH}:countTokens`, nested, auth)).json.totalTokens,
    ).toBe(3);
    const after = await sim.stats();
    expect(after.projects.p[FLASH].admitted).toBe(before.projects.p[FLASH].admitted);
  });

  it('lists the models the projects serve, and gets one', async () => {
    const list = await sim.request('GET', '/v1beta/models', undefined, auth);
    expect(list.status).toBe(200);
    expect((list.json.models as { name: string }[]).map((m) => m.name)).toEqual([
      'models/gemini-2.5-flash',
      'models/gemini-2.5-pro',
    ]);
    expect(list.json.models[0]).toEqual(
      expect.objectContaining({
        displayName: 'Gemini 2.5 Flash',
        inputTokenLimit: 1048576,
        outputTokenLimit: 65536,
        supportedGenerationMethods: expect.arrayContaining(['generateContent', 'countTokens']),
      }),
    );
    const one = await sim.request('GET', `/v1beta/models/${FLASH}`, undefined, auth);
    expect(one.json.name).toBe(`models/${FLASH}`);
    expect((await sim.request('GET', '/v1beta/models')).status).toBe(400);
  });

  it('an unknown model gets 404 NOT_FOUND', async () => {
    const answer = await sim.generate(KEY, 'hi', 'gemini-9-ultra');
    expect(answer.status).toBe(404);
    expect(answer.json).toEqual({
      error: {
        code: 404,
        message:
          'models/gemini-9-ultra is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.',
        status: 'NOT_FOUND',
      },
    });
  });

  it('a malformed body gets 400 INVALID_ARGUMENT', async () => {
    const path = `/v1beta/models/${FLASH}:generateContent`;
    const broken = await sim.request('POST', path, '{"contents": [', auth);
    expect(broken.status).toBe(400);
    expect(broken.json.error.status).toBe('INVALID_ARGUMENT');
    const empty = await sim.request('POST', path, { contents: [] }, auth);
    expect(empty.status).toBe(400);
    expect(empty.json.error.message).toContain('contents is not specified');
    expect((await sim.request('POST', path, { contents: 'text' }, auth)).status).toBe(400);
  });

  it('an unknown path gets a JSON 404', async () => {
    const answer = await sim.request('GET', '/nowhere', undefined, auth);
    expect(answer.status).toBe(404);
    expect(answer.json.error.status).toBe('NOT_FOUND');
  });
});
