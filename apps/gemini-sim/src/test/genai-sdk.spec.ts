// The official @google/genai SDK works against the simulator by changing only its base URL.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ApiError, GoogleGenAI } from '@google/genai';
import { answerTextFor } from '../content';
import { startTestSim, type TestSim } from './sim-harness';

const FLASH = 'gemini-2.5-flash';
const KEY = 'AQ.Ab8SdkKey-0001';

describe('@google/genai against the simulator', () => {
  let sim: TestSim;
  let ai: GoogleGenAI;
  beforeAll(async () => {
    // rpm 2: the generate and stream calls fill the minute (countTokens is free), the third call is refused.
    sim = await startTestSim({
      projects: [{ id: 'p', limits: { [FLASH]: { rpm: 2, tpm: 1e6, rpd: 1000 } }, keys: [KEY] }],
    });
    // Inside Jest's sandbox the SDK cannot reach Node's global undici dispatcher; handing it fetch avoids that.
    const jestFetch: typeof fetch = (input, init) => fetch(input, init);
    ai = new GoogleGenAI({
      apiKey: KEY,
      httpOptions: { baseUrl: sim.url, apiVersion: 'v1beta', fetch: jestFetch },
    });
  });
  afterAll(() => sim.close());

  it('generateContent returns the simulated text and usage', async () => {
    const response = await ai.models.generateContent({ model: FLASH, contents: 'What is keyfleet?' });
    expect(response.text).toBe(answerTextFor(['What is keyfleet?']));
    expect(response.usageMetadata?.promptTokenCount).toBe(5);
  });

  it('generateContentStream yields the chunks of the same text', async () => {
    const stream = await ai.models.generateContentStream({ model: FLASH, contents: 'stream please' });
    const texts: string[] = [];
    let promptTokens: number | undefined;
    for await (const chunk of stream) {
      texts.push(chunk.text ?? '');
      promptTokens = chunk.usageMetadata?.promptTokenCount ?? promptTokens;
    }
    expect(texts.length).toBeGreaterThanOrEqual(2);
    expect(texts.join('')).toBe(answerTextFor(['stream please']));
    expect(promptTokens).toBe(4);
  });

  it('countTokens returns totalTokens', async () => {
    const counted = await ai.models.countTokens({ model: FLASH, contents: 'twelve chars' });
    expect(counted.totalTokens).toBe(3);
  });

  it('a refusal surfaces as ApiError with status 429 and the JSON body as message', async () => {
    const error: unknown = await ai.models
      .generateContent({ model: FLASH, contents: 'third' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(429);
    const body = JSON.parse((error as ApiError).message);
    expect(body.error.details[0].violations[0].quotaId).toBe(
      'GenerateRequestsPerMinutePerProjectPerModel-FreeTier',
    );
  });

  it('works unchanged (no custom fetch) in a plain Node process', async () => {
    const script = `
      const { GoogleGenAI } = require('@google/genai');
      const ai = new GoogleGenAI({ apiKey: process.env.KEY, httpOptions: { baseUrl: process.env.SIM_URL, apiVersion: 'v1beta' } });
      ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'plain node' })
        .then((r) => console.log(r.text), (e) => console.log('status', e.status));`;
    await sim.request('PUT', '/sim/config', {
      projects: [{ id: 'p', limits: { [FLASH]: { rpm: 3, tpm: 1e6, rpd: 1000 } }, keys: [KEY] }],
    });
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', script], {
      env: { ...process.env, KEY, SIM_URL: sim.url },
      timeout: 20_000,
    });
    expect(stdout.trim()).toBe(answerTextFor(['plain node']));
  });
});
