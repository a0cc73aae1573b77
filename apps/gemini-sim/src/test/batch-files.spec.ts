// Files and file-based Batch Mode jobs through @google/genai: resumable upload, get, a job from a JSONL
// file, and the results file downloaded the SDK's way, in input order.
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JobState, type GoogleGenAI } from '@google/genai';
import { answerTextFor } from '../content';
import { genaiFor, startTestSim, textRequest, type JsonBody, type TestSim } from './sim-harness';

const FLASH = 'gemini-2.5-flash';
const KEY = 'AQ.Ab8FilesKey-0001';
const OTHER = 'AQ.Ab8FilesKey-0002';
const LIMITS = { [FLASH]: { rpm: 10, tpm: 10_000, rpd: 100 } };

const jsonl = (texts: string[]) =>
  texts.map((text, index) => JSON.stringify({ key: `line-${index}`, request: textRequest(text) })).join('\n');

describe('Files and file-based Batch Mode with @google/genai', () => {
  let sim: TestSim;
  let ai: GoogleGenAI;
  beforeAll(async () => {
    sim = await startTestSim({
      batchMode: { pendingMs: 0, turnaroundMs: 5_000, maxFileBytes: 1_000 },
      projects: [
        { id: 'p', limits: LIMITS, keys: [KEY] },
        { id: 'q', limits: LIMITS, keys: [OTHER] },
      ],
    });
    ai = genaiFor(sim, KEY);
  });
  afterAll(() => sim.close());

  it('uploads a JSONL file, runs a job from it and downloads the results in input order', async () => {
    const texts = ['alpha', 'beta', 'gamma', 'delta'];
    const content = jsonl(texts);
    const blob = new Blob([content], { type: 'application/jsonl' });
    const file = await ai.files.upload({
      file: blob,
      config: { displayName: 'input', mimeType: 'application/jsonl' },
    });
    expect(file.name).toMatch(/^files\/[a-z0-9]{12}$/);
    expect(file).toMatchObject({ displayName: 'input', sizeBytes: String(content.length), state: 'ACTIVE' });
    expect((await ai.files.get({ name: file.name ?? '' })).mimeType).toBe('application/jsonl');

    const job = await ai.batches.create({ model: FLASH, src: file.name ?? '' });
    expect(job.state).toBe(JobState.JOB_STATE_RUNNING);
    sim.clock.advance(5_000);
    const done = await ai.batches.get({ name: job.name ?? '' });
    expect(done.state).toBe(JobState.JOB_STATE_SUCCEEDED);
    const resultName = done.dest?.fileName ?? '';
    expect(resultName).toBe(`files/batch-${(job.name ?? '').split('/')[1]}`);

    const downloadPath = join(await mkdtemp(join(tmpdir(), 'sim-batch-')), 'results.jsonl');
    await ai.files.download({ file: resultName, downloadPath });
    const lines = (await readFile(downloadPath, 'utf8'))
      .trim()
      .split('\n')
      .map((line): JsonBody => JSON.parse(line));
    expect(lines.map((line): JsonBody => line.key)).toEqual(['line-0', 'line-1', 'line-2', 'line-3']);
    expect(lines.map((line): JsonBody => line.response.candidates[0].content.parts[0].text)).toEqual(
      texts.map((text) => answerTextFor([text])),
    );
    const google = await sim.request('GET', `/download/v1beta/${resultName}:download?alt=media`, undefined, {
      'x-goog-api-key': KEY,
    });
    expect(google.text.trim().split('\n')).toHaveLength(4);
  });

  it('takes an upload in several chunks at the right offsets, and refuses a wrong offset', async () => {
    const headers = { 'x-goog-api-key': KEY, 'x-goog-upload-protocol': 'resumable' };
    const start = await sim.request(
      'POST',
      '/upload/v1beta/files',
      { file: { displayName: 'two' } },
      {
        ...headers,
        'x-goog-upload-command': 'start',
        'x-goog-upload-header-content-length': '10',
        'x-goog-upload-header-content-type': 'text/plain',
      },
    );
    expect(start.headers.get('x-goog-upload-status')).toBe('active');
    const uploadUrl = new URL(start.headers.get('x-goog-upload-url') ?? '');
    const path = `${uploadUrl.pathname}${uploadUrl.search}`;
    const chunk = (command: string, offset: number, body: string) =>
      sim.request('POST', path, body, {
        'x-goog-upload-command': command,
        'x-goog-upload-offset': String(offset),
      });
    expect((await chunk('upload', 0, 'hello')).headers.get('x-goog-upload-status')).toBe('active');
    expect((await chunk('upload, finalize', 3, 'world')).status).toBe(400);
    const final = await chunk('upload, finalize', 5, 'world');
    expect(final.headers.get('x-goog-upload-status')).toBe('final');
    expect(final.json.file).toMatchObject({ displayName: 'two', sizeBytes: '10', mimeType: 'text/plain' });
    const bytes = await sim.request('GET', `/v1beta/${final.json.file.name}:download?alt=media`, undefined, {
      'x-goog-api-key': KEY,
    });
    expect(bytes.text).toBe('helloworld');
  });

  it('refuses a file over the size limit, and hides a project’s files from other projects', async () => {
    const tooBig = await sim.request(
      'POST',
      '/upload/v1beta/files',
      {},
      {
        'x-goog-api-key': KEY,
        'x-goog-upload-protocol': 'resumable',
        'x-goog-upload-command': 'start',
        'x-goog-upload-header-content-length': '1001',
      },
    );
    expect(tooBig.status).toBe(400);
    expect(tooBig.json.error.status).toBe('INVALID_ARGUMENT');
    const mine = await sim.request('GET', '/v1beta/files', undefined, { 'x-goog-api-key': KEY });
    expect(mine.json.files.length).toBeGreaterThanOrEqual(3);
    const name = mine.json.files[0].name;
    const theirs = await sim.request('GET', `/v1beta/${name}`, undefined, { 'x-goog-api-key': OTHER });
    expect(theirs.status).toBe(404);
    const job = await sim.request(
      'POST',
      `/v1beta/models/${FLASH}:batchGenerateContent`,
      { batch: { inputConfig: { fileName: name } } },
      { 'x-goog-api-key': OTHER },
    );
    expect(job.status).toBe(400);
    expect(job.json.error.message).toContain('file_name');
  });
});
