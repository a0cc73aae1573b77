import { MAX_JSON_DEPTH, problemOfJsonText, type JsonTextRules } from './json-text-check';

const strict: JsonTextRules = { maxDepth: MAX_JSON_DEPTH, allowNul: false };
const check = (text: string, rules = strict) => problemOfJsonText(Buffer.from(text, 'utf8'), rules);
const batchWith = (text: string) =>
  JSON.stringify({
    model: 'm',
    requests: [
      { key: 'a', request: { contents: [{ parts: [{ text: 'fine' }] }] } },
      { key: 'b', request: { contents: [{ parts: [{ text: 'fine' }, { text }] }] } },
    ],
  });

describe('problemOfJsonText', () => {
  it('passes ordinary JSON, escapes, pairs and other control characters', () => {
    expect(check(batchWith('tab\there, "quoted" \\ back\\slash, é, 😀 \ud83d\ude00'))).toBeNull();
    expect(check(JSON.stringify({ t: '\u0001\u001f\u007f' }))).toBeNull();
    expect(check('{"a": "\\uD83D\\uDE00", "b": [1, 2.5e3, true, null]}')).toBeNull();
    expect(check('[]')).toBeNull();
    expect(check('"just a string"')).toBeNull();
  });

  it('names the field holding a NUL, unless NUL is allowed', () => {
    expect(check(batchWith('a\u0000b'))).toEqual({
      path: 'requests[1].request.contents[0].parts[1].text',
      message: 'contains a NUL character (\\u0000), which cannot be stored',
    });
    expect(check(batchWith('a\u0000b'), { ...strict, allowNul: true })).toBeNull();
    expect(check('{"requests": [{"key": "x\\u0000"}]}')?.path).toBe('requests[0].key');
  });

  it('names the field holding a lone surrogate, high or low, at any place in the string', () => {
    for (const text of ['x\\ud800y', '\\udfff', 'end\\uD800', '\\ud800\\ud800', '\\ud800\\n']) {
      const body = `{"requests": [{"key": "k", "request": {"contents": [{"parts": [{"text": "${text}"}]}]}}]}`;
      expect(check(body)).toEqual({
        path: 'requests[0].request.contents[0].parts[0].text',
        message: expect.stringContaining('lone surrogate'),
      });
    }
  });

  it('names a field name that holds one, and quotes names that are not identifiers', () => {
    expect(check('{"a": {"b\\u0000": 1}}')).toEqual({
      path: 'a (a field name)',
      message: expect.stringContaining('NUL'),
    });
    expect(check('{"a b": ["\\ud800"]}')?.path).toBe('["a b"][0]');
  });

  it('refuses nesting deeper than the limit, naming where it starts, without recursing', () => {
    const deep = (levels: number) =>
      `{"requests": [{"key": "k", "request": {"contents": [{"parts": [${'{"x":'.repeat(levels)}1${'}'.repeat(levels)}]}]}}]}`;
    // 7 levels down to the parts' elements; the limit counts every object and array.
    expect(check(deep(MAX_JSON_DEPTH - 7))).toBeNull();
    expect(check(deep(MAX_JSON_DEPTH - 6))).toEqual({
      path: 'requests[0].request.contents[0].parts[0].x.x.x.x.x…',
      message: `nested more than ${MAX_JSON_DEPTH} levels deep`,
    });
    expect(check(deep(20_000))?.message).toBe(`nested more than ${MAX_JSON_DEPTH} levels deep`);
    expect(check('['.repeat(1_000_000))?.path).toBe('[0][0][0][0][0][0][0][0][0][0][0][0]…');
  });

  it('does not count brackets inside strings', () => {
    expect(check(JSON.stringify({ t: '['.repeat(1000) + '{'.repeat(1000) }))).toBeNull();
  });

  // Each string and each escape searching to the end of the text again would take hours here.
  it('scans a 20 MB body of 4 million escapes, and one with a problem at its very end', () => {
    const text = JSON.stringify({ t: 'line\n'.repeat(4_000_000) });
    expect(check(text)).toBeNull();
    expect(check(`${text.slice(0, -2)}\\u0000"}`)?.path).toBe('t');
  });
});
