import { KeyfleetError } from '@keyfleet/errors';
import { parseJsonBatch, parseNdjsonBatch } from './parse-batch';

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

describe('parseNdjsonBatch', () => {
  const line = (key: string, text = key) => JSON.stringify({ key, request: request(text) });

  it('numbers items by their line, skipping blank lines and a trailing newline', () => {
    const parsed = parseNdjsonBatch(`${line('a')}\n\n${line('b')}\n`, { model: 'gemini-2.5-flash' }, limits);
    expect(parsed.model).toBe('gemini-2.5-flash');
    expect(parsed.displayName).toBeNull();
    expect(parsed.items.map((item) => [item.key, item.lineNo])).toEqual([
      ['a', 1],
      ['b', 3],
    ]);
  });

  it('takes the priority from the query, 0 when absent, and names a bad one', () => {
    const parse = (priority?: string) =>
      parseNdjsonBatch(line('a'), { model: 'gemini-2.5-flash', priority }, limits).priority;
    expect(parse('7')).toBe(7);
    expect(parse('-3')).toBe(-3);
    expect(parse()).toBe(0);
    expect(rejection(() => parse('high')).message).toBe(
      'priority: must be a whole number from -100 to 100 (higher goes first)',
    );
  });

  it('takes the display name from the query', () => {
    expect(
      parseNdjsonBatch(line('a'), { model: 'gemini-2.5-flash', displayName: 'n' }, limits).displayName,
    ).toBe('n');
  });

  it('names the bad line', () => {
    const text = [line('a'), line('b'), '{"key": "c", "request": ', line('d')].join('\n');
    const result = rejection(() => parseNdjsonBatch(text, { model: 'gemini-2.5-flash' }, limits));
    expect(result.status).toBe(400);
    expect(result.message).toMatch(/^line 3: not valid JSON/);
  });

  it.each([
    [`${line('a')}\n${line('a')}`, 'line 2: key: duplicate key "a"'],
    [`${line('a')}\n{"key":"b"}`, 'line 2: request: must be a GenerateContentRequest object'],
    [`${line('a')}\n[1]`, 'line 2: must be an object {"key": …, "request": …}'],
  ])('names the line of an invalid entry: %s', (text, message) => {
    expect(rejection(() => parseNdjsonBatch(text, { model: 'gemini-2.5-flash' }, limits)).message).toBe(
      message,
    );
  });

  it('rejects an empty upload, a missing model, and too many lines', () => {
    expect(rejection(() => parseNdjsonBatch('\n\n', { model: 'gemini-2.5-flash' }, limits))).toEqual({
      status: 400,
      message: 'requests: a batch needs at least one request',
    });
    expect(rejection(() => parseNdjsonBatch(line('a'), {}, limits)).message).toBe('model: is required');
    const six = Array.from({ length: 6 }, (_, i) => line(`k${i}`)).join('\n');
    expect(rejection(() => parseNdjsonBatch(six, { model: 'gemini-2.5-flash' }, limits)).status).toBe(413);
  });
});
