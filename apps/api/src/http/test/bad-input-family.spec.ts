// The family of inputs that used to end in a 500 (a NUL, a lone surrogate, nesting 20,000 deep, an item
// that can never fit) on every route that takes them: a 400 naming the field, nothing stored, nothing
// sent upstream. The upstream is a small real HTTP server that records what reaches it.
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { bootApi, type ApiHarness } from '../../admin/test/api-harness';
import { addPoolAndClient, FLASH } from '../../gateway/test/gateway-harness';

const TPM = 1000;
const LIMITS = { [FLASH]: { rpm: 1000, tpm: TPM, rpd: 100_000 } };
const ANSWER = JSON.stringify({
  candidates: [{ content: { parts: [{ text: 'ok' }], role: 'model' } }],
  usageMetadata: { promptTokenCount: 2, totalTokenCount: 3 },
});

/** An upstream that answers every call and keeps the bodies it received. */
class RecordingUpstream {
  readonly bodies: string[] = [];
  readonly server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      this.bodies.push(Buffer.concat(chunks).toString('utf8'));
      res.writeHead(200, { 'content-type': 'application/json' }).end(ANSWER);
    });
  });

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
}

// JSON text written by hand: JSON.stringify of 20,000 levels would overflow this process' stack too.
const DEEP = 20_000;
const deepParts = `[${'{"parts": ['.repeat(DEEP)}{"text": "x"}${']}'.repeat(DEEP)}]`;
const textPart = (rawJsonString: string) =>
  `{"contents": [{"role": "user", "parts": [{"text": ${rawJsonString}}]}]}`;
const fine = textPart('"fine"');
const jsonBatch = (items: string[], extra = '') =>
  `{"model": "${FLASH}"${extra}, "requests": [${items.join(', ')}]}`;
const item = (key: string, request: string) => `{"key": ${key}, "request": ${request}}`;
const fourItems = (key: string, request: string) => [
  item('"a"', fine),
  item('"b"', fine),
  item('"c"', fine),
  item(key, request),
];

describe('bad input of the 500 family is a 400 naming the field, on every route that takes JSON', () => {
  let upstream: RecordingUpstream;
  let api: ApiHarness;
  let clientKey: string;

  beforeAll(async () => {
    upstream = new RecordingUpstream();
    api = await bootApi({
      GEMINI_BASE_URL: await upstream.listen(),
      KF_LOG_LEVEL: 'error',
      KF_MAX_JSON_MB: '1',
      KF_MAX_BODY_MB: '2',
    });
    clientKey = await addPoolAndClient(api, 'bad-input', LIMITS, 'AQ.Ab8BadInputFamilyKey0001');
  }, 60_000);
  afterAll(async () => {
    await api?.close();
    upstream?.server.closeAllConnections();
    await new Promise((resolve) => upstream?.server.close(resolve));
  });

  // Raw bodies (api.call would JSON-encode a Buffer).
  const send = async (path: string, body: string | Buffer, headers: Record<string, string> = {}) => {
    const response = await fetch(`${api.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${clientKey}`, 'content-type': 'application/json', ...headers },
      body,
    });
    const text = await response.text();
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers of many shapes
    const parsed: any = text.startsWith('{') ? JSON.parse(text) : text;
    return { status: response.status, body: parsed, text };
  };
  const sendStream = async (path: string, body: ReadableStream, headers: Record<string, string>) => {
    const init = { method: 'POST', headers: { authorization: `Bearer ${clientKey}`, ...headers }, body };
    // A stream body needs `duplex` (undici).
    const response = await fetch(`${api.url}${path}`, { ...init, duplex: 'half' });
    const text = await response.text();
    return { status: response.status, body: JSON.parse(text), text };
  };
  /** Only headers, declaring a body of `bytes`: the answer must come before any of it is sent. */
  const declaredUpload = (bytes: number) =>
    new Promise<{ status: number; body: { error: { message: string } }; text: string }>((resolve, reject) => {
      const req = request(`${api.url}/v1/batches?model=${FLASH}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${clientKey}`,
          'content-type': 'application/x-ndjson',
          'content-length': String(bytes),
        },
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(text), text });
          req.destroy();
        });
      });
      req.on('error', reject);
      req.flushHeaders();
    });
  const stored = async () => {
    const [row] = await api.sql.query(
      'SELECT (SELECT count(*)::int FROM batches) AS batches, (SELECT count(*)::int FROM batch_items) AS items',
    );
    return row as { batches: number; items: number };
  };

  describe('POST /v1/batches (JSON)', () => {
    const cases: Array<[string, string, number, string | RegExp]> = [
      [
        'a NUL in a key',
        jsonBatch(fourItems('"d\\u0000"', fine)),
        400,
        'requests[3].key: contains a NUL character',
      ],
      [
        'a NUL in a text',
        jsonBatch(fourItems('"d"', textPart('"x\\u0000y"'))),
        400,
        'requests[3].request.contents[0].parts[0].text: contains a NUL character',
      ],
      ...['\\u0001', '\\u001b', '\\t', '\\n', '\\u007f', '\\u0085'].map(
        (control): [string, string, number, string] => [
          `a control character (${control}) in a key`,
          jsonBatch(fourItems(`"d${control}"`, fine)),
          400,
          'requests[3].key: must not contain control characters',
        ],
      ),
      [
        'a lone surrogate in a text',
        jsonBatch(fourItems('"d"', textPart('"x\\ud800y"'))),
        400,
        'requests[3].request.contents[0].parts[0].text: contains a lone surrogate',
      ],
      [
        'a lone low surrogate in a key',
        jsonBatch(fourItems('"\\udc00"', fine)),
        400,
        'requests[3].key: contains a lone surrogate',
      ],
      [
        `parts nested ${DEEP} deep`,
        jsonBatch(fourItems('"d"', `{"contents": ${deepParts}}`)),
        400,
        /^requests\[3\]\.request\.contents\[0\]\.parts\[0\]\.parts\[0\].*…: nested more than 100 levels deep$/,
      ],
      [
        'a NUL in the display name',
        jsonBatch(fourItems('"d"', fine), ', "displayName": "n\\u0000"'),
        400,
        'displayName: contains a NUL character',
      ],
      [
        'an item that can never fit any project',
        jsonBatch(fourItems('"d"', textPart(`"${'x'.repeat(TPM * 4 + 4)}"`))),
        400,
        `requests[3].request: its estimated input (${TPM + 1} tokens) exceeds what any project serving ${FLASH} takes in one request (at most ${TPM} tokens)`,
      ],
      [
        'a body over KF_MAX_JSON_MB',
        jsonBatch(fourItems('"d"', textPart(`"${'x'.repeat(1_100_000)}"`))),
        413,
        /./,
      ],
    ];

    it.each(cases)('%s', async (_name, body, status, message) => {
      const before = await stored();
      const answer = await send('/v1/batches', body);
      expect(answer.status).toBe(status);
      expect(answer.body.error.code).toBe(status);
      if (typeof message === 'string') expect(answer.body.error.message).toContain(message);
      else expect(answer.body.error.message).toMatch(message);
      expect(await stored()).toEqual(before);
    });
  });

  describe('POST /v1/batches (NDJSON)', () => {
    const ndjson = { 'content-type': 'application/x-ndjson' };
    const upload = (lastLine: string, query = '') =>
      send(
        `/v1/batches?model=${FLASH}${query}`,
        [...fourItems('"a"', fine).slice(1), lastLine].join('\n'),
        ndjson,
      );
    const cases: Array<[string, () => ReturnType<typeof send>, number, string | RegExp]> = [
      [
        'a NUL in a key',
        () => upload(item('"d\\u0000"', fine)),
        400,
        'line 4: key: contains a NUL character',
      ],
      [
        'a NUL in a text',
        () => upload(item('"d"', textPart('"\\u0000"'))),
        400,
        'line 4: request.contents[0].parts[0].text: contains a NUL character',
      ],
      [
        'a control character in a key',
        () => upload(item('"d\\u0007"', fine)),
        400,
        'line 4: key: must not contain control',
      ],
      [
        'a lone surrogate in a text',
        () => upload(item('"d"', textPart('"\\ud83d!"'))),
        400,
        'line 4: request.contents[0].parts[0].text: contains a lone surrogate',
      ],
      [
        `parts nested ${DEEP} deep`,
        () => upload(item('"d"', `{"contents": ${deepParts}}`)),
        400,
        /^line 4: request\.contents\[0\]\.parts\[0\].*…: nested more than 100 levels deep$/,
      ],
      ['a duplicate key', () => upload(item('"b"', fine)), 400, 'line 4: key: duplicate key "b"'],
      [
        'a duplicate key far into a long upload, after blank lines',
        () => {
          // 6,000 items (several COPY pieces already sent) with a blank line after every 1,000th.
          const lines = Array.from(
            { length: 6000 },
            (_, i) => `${item(`"k${i}"`, fine)}${i % 1000 === 999 ? '\n' : ''}`,
          );
          lines.push(item('"k1234"', fine)); // line 6,000 + 6 blank lines + 1
          return send(`/v1/batches?model=${FLASH}`, lines.join('\n'), ndjson);
        },
        400,
        'line 6007: key: duplicate key "k1234"',
      ],
      [
        'an item that can never fit any project',
        () => upload(item('"d"', textPart(`"${'x'.repeat(TPM * 4 + 4)}"`))),
        400,
        `line 4: request: its estimated input (${TPM + 1} tokens) exceeds`,
      ],
      [
        'a NUL in ?displayName=',
        () => upload(item('"d"', fine), '&displayName=a%00b'),
        400,
        'contains a NUL',
      ],
      [
        'a line over KF_MAX_JSON_MB',
        () => upload(item('"d"', textPart(`"${'x'.repeat(1_100_000)}"`))),
        413,
        /^line 4: longer than 1048576 bytes/,
      ],
      [
        'a body over KF_MAX_BODY_MB, declared',
        () => declaredUpload(3 * 1024 * 1024),
        413,
        'body: larger than 2 MB (KF_MAX_BODY_MB)',
      ],
      [
        'a body over KF_MAX_BODY_MB, not declared (chunked)',
        () => {
          const lines = Array.from({ length: 30_000 }, (_, i) => item(`"k${i}"`, fine));
          const bytes = Buffer.from(lines.join('\n'));
          // A stream has no Content-Length: it is counted as it arrives.
          const body = new ReadableStream({
            start(controller) {
              controller.enqueue(bytes);
              controller.close();
            },
          });
          return sendStream(`/v1/batches?model=${FLASH}`, body, ndjson);
        },
        413,
        'body: larger than 2 MB (KF_MAX_BODY_MB)',
      ],
      [
        'gzip that is not',
        () =>
          send(`/v1/batches?model=${FLASH}`, Buffer.from('not gzip at all'), {
            ...ndjson,
            'content-encoding': 'gzip',
          }),
        400,
        'body: not valid gzip data',
      ],
    ];

    it.each(cases)(
      '%s',
      async (_name, request, status, message) => {
        const before = await stored();
        const answer = await request();
        expect(answer.status).toBe(status);
        if (typeof message === 'string') expect(answer.body.error.message).toContain(message);
        else expect(answer.body.error.message).toMatch(message);
        expect(await stored()).toEqual(before);
      },
      30_000,
    ); // the largest stores 2 MB before it is refused: seconds on a busy machine

    it('takes a gzip upload, and other control characters in a text, stored exactly', async () => {
      const text = 'tab\t bell\u0007 esc\u001b del\u007f nel\u0085 😀';
      const lines = [
        item('"a"', fine),
        JSON.stringify({ key: 'b', request: { contents: [{ parts: [{ text }] }] } }),
      ];
      const answer = await send(`/v1/batches?model=${FLASH}`, gzipSync(lines.join('\n')), {
        ...ndjson,
        'content-encoding': 'gzip',
      });
      expect(answer.status).toBe(202);
      expect(answer.body.counts.total).toBe(2);
      const [row] = await api.sql.query(
        `SELECT request #>> '{contents,0,parts,0,text}' AS text FROM batch_items WHERE batch_id = $1 AND key = 'b'`,
        [answer.body.id],
      );
      expect(row.text).toBe(text);
    });
  });

  describe('the Gemini-native and OpenAI-compatible routes', () => {
    const generate = (body: string, method = 'generateContent') =>
      send(`/v1beta/models/${FLASH}:${method}`, body, { 'x-goog-api-key': clientKey });

    it.each([
      [
        'generateContent',
        `{"contents": ${deepParts}}`,
        /^contents\[0\]\.parts\[0\]\.parts\[0\].*…: nested more than 100/,
      ],
      ['countTokens', `{"contents": ${deepParts}}`, /^contents\[0\]\.parts\[0\].*…: nested more than 100/],
      [
        'generateContent',
        textPart('"x\\udfffy"'),
        /^contents\[0\]\.parts\[0\]\.text: contains a lone surrogate/,
      ],
    ])('%s: %#', async (method, body, message) => {
      const calls = upstream.bodies.length;
      const answer = await generate(body, method);
      expect(answer.status).toBe(400);
      expect(answer.body.error).toMatchObject({
        code: 400,
        status: 'INVALID_ARGUMENT',
        message: expect.stringMatching(message),
      });
      expect(upstream.bodies.length).toBe(calls);
    });

    it('passes a NUL in a prompt to Google untouched (it is valid JSON there, and nothing stores it)', async () => {
      const answer = await generate(textPart('"a\\u0000b"'));
      expect(answer.status).toBe(200);
      expect(JSON.parse(upstream.bodies[upstream.bodies.length - 1]).contents[0].parts[0].text).toBe(
        'a\u0000b',
      );
    });

    it('refuses chat messages nested 20,000 deep', async () => {
      const calls = upstream.bodies.length;
      const body = `{"model": "${FLASH}", "messages": [{"role": "user", "content": ${'['.repeat(DEEP)}${']'.repeat(DEEP)}}]}`;
      const answer = await send('/v1/chat/completions', body);
      expect(answer.status).toBe(400);
      expect(answer.body.error.message).toMatch(
        /^messages\[0\]\.content\[0\]\[0\].*…: nested more than 100 levels deep$/,
      );
      expect(upstream.bodies.length).toBe(calls);
    });
  });

  describe('the admin API', () => {
    const admin = (method: string, path: string, body?: string) =>
      api.call(method, `/admin/v1${path}`, {
        headers: { authorization: 'Bearer test-admin-token-0123456789', 'content-type': 'application/json' },
        body,
      });

    it.each([
      [
        'a NUL in a name',
        '{"name": "p\\u0000", "allowedIps": ["10.0.0.0/8"]}',
        'name: contains a NUL character',
      ],
      [
        'a lone surrogate in a name',
        '{"name": "\\ud800", "allowedIps": ["10.0.0.0/8"]}',
        'name: contains a lone surrogate',
      ],
      [
        'nesting 20,000 deep',
        `{"name": "p", "allowedIps": ${'['.repeat(DEEP)}${']'.repeat(DEEP)}}`,
        'allowedIps[0][0]',
      ],
    ])('POST /clients with %s', async (_name, body, message) => {
      const before = (await api.sql.query('SELECT count(*)::int AS n FROM clients'))[0].n;
      const answer = await admin('POST', '/clients', body);
      expect(answer.status).toBe(400);
      expect(answer.body.error.message).toContain(message);
      expect((await api.sql.query('SELECT count(*)::int AS n FROM clients'))[0].n).toBe(before);
    });

    it('names a query parameter holding a NUL', async () => {
      const answer = await admin('GET', '/audit?action=a%00b');
      expect(answer.status).toBe(400);
      expect(answer.body.error.message).toBe(
        'query parameter action: contains a NUL character (\\u0000), which cannot be stored',
      );
    });
  });
});
