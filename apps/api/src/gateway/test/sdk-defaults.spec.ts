// The SDKs exactly as their docs show them: @google/genai 3.x with only apiKey and baseUrl calls `/v1/…`,
// the openai SDK with apiKey and baseURL calls `/v1/models` on the same server. Both must work.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import OpenAI from 'openai';
import { bootGateway, FLASH, simProject, type Gateway } from './gateway-harness';

const KEYS = { a: 'AQ.SdkDefaultsProjectA0001', b: 'AQ.SdkDefaultsProjectB0002' };
const BIG = { rpm: 1000, tpm: 1_000_000, rpd: 100_000 };

const simAnswer = (prompt: string) => `sim:${createHash('sha1').update(prompt).digest('hex').slice(0, 12)}`;

// Run in a plain Node process: inside Jest the SDK would need its `fetch` handed to it, an option no user sets.
const GENAI_SCRIPT = `
const { GoogleGenAI } = require('@google/genai');
const ai = new GoogleGenAI({ apiKey: process.env.KEY, httpOptions: { baseUrl: process.env.BASE_URL } });
(async () => {
  const model = process.env.MODEL;
  const out = {};
  out.generated = (await ai.models.generateContent({ model, contents: 'default path' })).text;
  const chunks = [];
  for await (const chunk of await ai.models.generateContentStream({ model, contents: 'streamed default' }))
    chunks.push(chunk.text ?? '');
  out.streamed = chunks;
  out.counted = (await ai.models.countTokens({ model, contents: 'twelve chars' })).totalTokens;
  out.listed = [];
  for await (const m of await ai.models.list()) out.listed.push(m.name);
  out.got = (await ai.models.get({ model })).name;
  out.missing = await ai.models.get({ model: 'gemini-9-ultra' }).then(() => 'found', (e) => e.status);
  console.log(JSON.stringify(out));
})().catch((e) => { console.log(JSON.stringify({ failed: String(e) })); });
`;

interface GenAiRun {
  failed?: string;
  generated: string;
  streamed: string[];
  counted: number;
  listed: string[];
  got: string;
  missing: number | string;
}

describe('the SDKs on their defaults: @google/genai on /v1, openai on /v1 (same server)', () => {
  let gw: Gateway;

  beforeAll(async () => {
    gw = await bootGateway({
      projects: [
        simProject('sim-a', { [FLASH]: BIG }, [KEYS.a]),
        simProject('sim-b', { [FLASH]: BIG }, [KEYS.b]),
      ],
    });
    await gw.addProject('project-a', { [FLASH]: BIG }, [KEYS.a]);
    await gw.addProject('project-b', { [FLASH]: BIG }, [KEYS.b]);
  }, 60_000);
  afterAll(() => gw?.close());

  it('@google/genai with only apiKey and baseUrl: generate, stream, countTokens, list and get', async () => {
    const before = (await gw.sim.stats()).totals;
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', GENAI_SCRIPT], {
      env: { ...process.env, KEY: gw.clientKey, BASE_URL: gw.url, MODEL: FLASH },
      timeout: 30_000,
    });
    const run = JSON.parse(stdout.trim()) as GenAiRun;
    expect(run.failed).toBeUndefined();
    expect(run.generated).toBe(simAnswer('default path'));
    expect(run.streamed.length).toBeGreaterThanOrEqual(2);
    expect(run.streamed.join('')).toBe(simAnswer('streamed default'));
    expect(run.counted).toBe(3);
    expect(run.listed).toEqual([`models/${FLASH}`]);
    expect(run.got).toBe(`models/${FLASH}`);
    expect(run.missing).toBe(404);
    // The calls went upstream under the version they came in on.
    const after = (await gw.sim.stats()).totals;
    expect((after.byApiVersion.v1 ?? 0) - (before.byApiVersion.v1 ?? 0)).toBeGreaterThanOrEqual(3);
  }, 60_000);

  it('the openai client lists and reads models, and chats, on the same server', async () => {
    const client = new OpenAI({ apiKey: gw.clientKey, baseURL: `${gw.url}/v1` });
    const listed: string[] = [];
    for await (const model of client.models.list()) listed.push(model.id);
    expect(listed).toEqual([FLASH]);
    expect((await client.models.retrieve(FLASH)).id).toBe(FLASH);
    const completion = await client.chat.completions.create({
      model: FLASH,
      messages: [{ role: 'user', content: 'one place only' }],
    });
    // The simulator refuses an auth key sent in two places: this went with x-goog-api-key alone.
    expect(completion.choices[0].message.content).toBe(simAnswer('one place only'));
  });

  it('GET /v1/models: Gemini shape for x-goog-api-key or ?key=, OpenAI shape for a bearer key', async () => {
    const byHeader = await fetch(`${gw.url}/v1/models`, { headers: { 'x-goog-api-key': gw.clientKey } });
    expect(await byHeader.json()).toMatchObject({ models: [{ name: `models/${FLASH}` }] });
    const byQuery = await fetch(`${gw.url}/v1/models?key=${gw.clientKey}`);
    expect(await byQuery.json()).toMatchObject({ models: [{ name: `models/${FLASH}` }] });
    const byBearer = await fetch(`${gw.url}/v1/models`, {
      headers: { authorization: `Bearer ${gw.clientKey}` },
    });
    expect(await byBearer.json()).toEqual({
      object: 'list',
      data: [{ id: FLASH, object: 'model', created: 0, owned_by: 'google' }],
    });
    // /v1beta stays Gemini's only, whatever the key style.
    const beta = await fetch(`${gw.url}/v1beta/models`, {
      headers: { authorization: `Bearer ${gw.clientKey}` },
    });
    expect(await beta.json()).toMatchObject({ models: [{ name: `models/${FLASH}` }] });
    // Errors follow the shape too: OpenAI's for a bearer client, Google's for a Gemini one.
    const openAiMissing = await fetch(`${gw.url}/v1/models/gpt-9`, {
      headers: { authorization: `Bearer ${gw.clientKey}` },
    });
    expect(openAiMissing.status).toBe(404);
    expect(((await openAiMissing.json()) as { error: { type: string } }).error.type).toBeDefined();
    const geminiMissing = await fetch(`${gw.url}/v1/models/gpt-9`, {
      headers: { 'x-goog-api-key': gw.clientKey },
    });
    expect(geminiMissing.status).toBe(404);
    expect(((await geminiMissing.json()) as { error: { status: string } }).error.status).toBe('NOT_FOUND');
  });
});
