import { KeyfleetError } from '@keyfleet/errors';
import { ndjsonItems, parseJsonBatch, parseNdjsonHeader } from './parse-batch';

const limits = { maxBatchItems: 5 };
const request = (text: string) => ({ contents: [{ role: 'user', parts: [{ text }] }] });

function rejection(fn: () => unknown): { status: number; message: string } {
  try {
    fn();
  } catch (error) {
    if (error instanceof KeyfleetError) return { status: error.httpStatus, message: error.message };
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('parseJsonBatch', () => {
  it('parses model, displayName and items with their positions', () => {
    const parsed = parseJsonBatch(
      {
        model: 'models/gemini-2.5-flash',
        displayName: 'nightly',
        requests: [
          { key: 'a', request: request('x') },
          { key: 'b', request: request('y') },
        ],
      },
      limits,
    );
    expect(parsed).toEqual({
      model: 'gemini-2.5-flash',
      displayName: 'nightly',
      priority: 0,
      lane: 'live',
      deadline: null,
      format: 'json',
      items: [
        { key: 'a', request: request('x'), lineNo: 1 },
        { key: 'b', request: request('y'), lineNo: 2 },
      ],
    });
  });

  it.each([
    [{ requests: [{ key: 'a', request: request('x') }] }, 400, 'model: is required'],
    [
      { model: 'Gemini:Pro', requests: [{ key: 'a', request: request('x') }] },
      400,
      'model: "Gemini:Pro" is not a model name',
    ],
    [{ model: 'gemini-2.5-flash', displayName: 7, requests: [] }, 400, 'displayName: must be a string'],
    [{ model: 'gemini-2.5-flash' }, 400, 'requests: must be an array'],
    [
      { model: 'gemini-2.5-flash', priority: 1.5, requests: [{ key: 'a', request: request('x') }] },
      400,
      'priority: must be a whole number from -100 to 100',
    ],
    [
      { model: 'gemini-2.5-flash', priority: '3', requests: [{ key: 'a', request: request('x') }] },
      400,
      'priority: must be a whole number',
    ],
    [
      { model: 'gemini-2.5-flash', priority: 101, requests: [{ key: 'a', request: request('x') }] },
      400,
      'priority: must be a whole number from -100 to 100',
    ],
    [{ model: 'gemini-2.5-flash', requests: [] }, 400, 'requests: a batch needs at least one request'],
    [
      {
        model: 'gemini-2.5-flash',
        requests: Array.from({ length: 6 }, (_, i) => ({ key: `k${i}`, request: request('x') })),
      },
      413,
      'batch has 6 requests; at most 5',
    ],
    [
      {
        model: 'gemini-2.5-flash',
        requests: [
          { key: 'a', request: request('x') },
          { key: '', request: request('y') },
        ],
      },
      400,
      'requests[1].key: must be a non-empty string',
    ],
    [
      { model: 'gemini-2.5-flash', requests: [{ key: 'x'.repeat(501), request: request('y') }] },
      400,
      'requests[0].key: must be at most 500 characters',
    ],
    [
      {
        model: 'gemini-2.5-flash',
        requests: [
          { key: 'a', request: request('x') },
          { key: 'a', request: request('y') },
        ],
      },
      400,
      'requests[1].key: duplicate key "a"',
    ],
    [
      { model: 'gemini-2.5-flash', requests: [{ key: 'a', request: 'hello' }] },
      400,
      'requests[0].request: must be a GenerateContentRequest object',
    ],
    [
      { model: 'gemini-2.5-flash', requests: [{ key: 'a', request: { prompt: 'x' } }] },
      400,
      'requests[0].request.contents: must be a non-empty array',
    ],
    [
      { model: 'gemini-2.5-flash', requests: [{ key: 'a', request: { contents: [{ text: 'x' }] } }] },
      400,
      'requests[0].request.contents[0].parts: must be an array',
    ],
    [
      { model: 'gemini-2.5-flash', requests: [{ key: 'a', request: request('x') }, 'row'] },
      400,
      'requests[1]: must be an object',
    ],
    [[1, 2], 400, 'body: must be a JSON object'],
  ])('rejects %j', (body, status, message) => {
    const result = rejection(() => parseJsonBatch(body, limits));
    expect(result.status).toBe(status);
    expect(result.message).toContain(message);
  });
});

describe('NDJSON uploads (parseNdjsonHeader, ndjsonItems)', () => {
  const line = (key: string, text = key) => JSON.stringify({ key, request: request(text) });
  const ndjsonLimits = { maxBatchItems: 5, maxLineBytes: 1000 };
  /** The upload in chunks cut at awkward places (mid-line, mid-character), as a socket delivers it. */
  function* chunked(text: string, size = 7): Generator<Buffer> {
    const bytes = Buffer.from(text, 'utf8');
    for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
  }
  async function items(text: string, size?: number) {
    const all = [];
    for await (const item of ndjsonItems(chunked(text, size), ndjsonLimits, 'gemini-2.5-flash'))
      all.push(item);
    return all;
  }
  async function asyncRejection(text: string): Promise<{ status: number; message: string }> {
    try {
      await items(text);
    } catch (error) {
      if (error instanceof KeyfleetError) return { status: error.httpStatus, message: error.message };
      throw error;
    }
    throw new Error('expected a rejection');
  }

  it('numbers items by their line, skipping blank lines, CRs and a trailing newline, whatever the chunks', async () => {
    const text = `${line('a', 'é😀')}\r\n\n  \n${line('b')}\n`;
    for (const size of [1, 3, 7, 1000]) {
      expect((await items(text, size)).map((item) => [item.key, item.lineNo, item.request])).toEqual([
        ['a', 1, request('é😀')],
        ['b', 4, request('b')],
      ]);
    }
  });

  it('takes model, display name and priority from the query, naming a bad one', () => {
    expect(parseNdjsonHeader({ model: 'models/gemini-2.5-flash', displayName: 'n', priority: '7' })).toEqual({
      model: 'gemini-2.5-flash',
      displayName: 'n',
      priority: 7,
      lane: 'live',
      deadline: null,
      format: 'ndjson',
    });
    expect(parseNdjsonHeader({ model: 'gemini-2.5-flash' }).priority).toBe(0);
    expect(rejection(() => parseNdjsonHeader({ model: 'gemini-2.5-flash', priority: 'high' })).message).toBe(
      'priority: must be a whole number from -100 to 100 (higher goes first)',
    );
    expect(rejection(() => parseNdjsonHeader({})).message).toBe('model: is required');
    expect(
      rejection(() => parseNdjsonHeader({ model: 'gemini-2.5-flash', displayName: 'a\u0000' })).message,
    ).toBe('displayName: contains a NUL character (\\u0000), which cannot be stored');
  });

  it.each([
    [
      [line('a'), line('b'), '{"key": "c", "request": ', line('d')].join('\n'),
      400,
      /^line 3: not valid JSON/,
    ],
    [`${line('a')}\n{"key":"b"}`, 400, /^line 2: request: must be a GenerateContentRequest object$/],
    [`${line('a')}\n[1]`, 400, /^line 2: must be an object \{"key": …, "request": …\}$/],
    [`${line('a')}\n${line('b\u0001')}`, 400, /^line 2: key: must not contain control characters/],
    [
      `${line('a')}\n${line('b', 'x\u0000y')}`,
      400,
      /^line 2: request\.contents\[0\]\.parts\[0\]\.text: contains a NUL/,
    ],
    [`${line('a')}\n{"key": "b\\u0000", "request": {}}`, 400, /^line 2: key: contains a NUL/],
    [
      `${line('a')}\n{"key": "b", "request": {"contents": [{"parts": [{"text": "x\\ud800y"}]}]}}`,
      400,
      /^line 2: request\.contents\[0\]\.parts\[0\]\.text: contains a lone surrogate/,
    ],
    [`${line('a')}\n${'['.repeat(200)}`, 400, /^line 2: \[0\]\[0\].*…: nested more than 100 levels deep$/],
    [
      `${line('a')}\n${JSON.stringify({ key: 'b', request: request('x'.repeat(1000)) })}`,
      413,
      /^line 2: longer than 1000 bytes/,
    ],
    ['\n\n', 400, /^requests: a batch needs at least one request$/],
    [
      Array.from({ length: 6 }, (_, i) => line(`k${i}`)).join('\n'),
      413,
      /^line 6: batch has more than 5 requests/,
    ],
  ])('names the line of a bad upload: %s', async (text, status, message) => {
    const result = await asyncRejection(text);
    expect(result.status).toBe(status);
    expect(result.message).toMatch(message);
  });

  it('refuses a line that is not UTF-8', async () => {
    function* bytes() {
      yield Buffer.from(`${line('a')}\n{"key": "`);
      yield Buffer.from([0xc3, 0x28]);
      yield Buffer.from('", "request": {"contents": [{"parts": []}]}}');
    }
    await expect(
      (async () => {
        for await (const item of ndjsonItems(bytes(), ndjsonLimits, 'gemini-2.5-flash')) void item;
      })(),
    ).rejects.toThrow('line 2: not valid UTF-8');
  });
});

describe('batches of an embedding model: items are EmbedContentRequests', () => {
  const embed = (text: string) => ({ content: { parts: [{ text }] }, taskType: 'RETRIEVAL_DOCUMENT' });
  const batch = (requests: unknown[]) => ({ model: 'gemini-embedding-001', requests });

  it('takes {content} requests, with or without the model named', () => {
    const parsed = parseJsonBatch(
      batch([
        { key: 'a', request: embed('x') },
        { key: 'b', request: { ...embed('y'), model: 'models/gemini-embedding-001' } },
      ]),
      limits,
    );
    expect(parsed.items).toHaveLength(2);
    expect(parsed.items).toEqual([
      { key: 'a', request: embed('x'), lineNo: 1 },
      { key: 'b', request: { ...embed('y'), model: 'models/gemini-embedding-001' }, lineNo: 2 },
    ]);
  });

  it.each([
    [{ contents: [{ parts: [{ text: 'x' }] }] }, 'requests[1].request.content: must be one Content object'],
    [{ content: { role: 'user' } }, 'requests[1].request.content.parts: must be an array of Part objects'],
    [
      { ...embed('x'), model: 'models/text-embedding-004' },
      'requests[1].request.model: must be models/gemini-embedding-001',
    ],
  ])('names the field of a request that is no EmbedContentRequest (%j)', (bad, message) => {
    const result = rejection(() =>
      parseJsonBatch(
        batch([
          { key: 'a', request: embed('x') },
          { key: 'b', request: bad },
        ]),
        limits,
      ),
    );
    expect(result.status).toBe(400);
    expect(result.message).toContain(message);
  });

  it('refuses a GenerateContentRequest line in an NDJSON upload for an embedding model', async () => {
    const text = `${JSON.stringify({ key: 'a', request: embed('x') })}\n${JSON.stringify({ key: 'b', request: request('y') })}\n`;
    const read = async () => {
      for await (const item of ndjsonItems(
        [Buffer.from(text)],
        { maxBatchItems: 5, maxLineBytes: 1000 },
        'gemini-embedding-001',
      ))
        void item;
    };
    await expect(read()).rejects.toThrow('line 2: request.content: must be one Content object');
  });

  it('refuses an EmbedContentRequest in a batch of a generation model', () => {
    const result = rejection(() =>
      parseJsonBatch({ model: 'gemini-2.5-flash', requests: [{ key: 'a', request: embed('x') }] }, limits),
    );
    expect(result.message).toContain('requests[0].request.contents: must be a non-empty array');
  });
});
