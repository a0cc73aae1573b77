/**
 * A fetch Response for an answer already read whole: what the SDK reads of a unary answer (status, ok,
 * headers, json(), text()) without undici's Response, which wraps every body in a web stream. At
 * thousands of answers a minute that stream and its garbage were a good part of a worker's CPU.
 */
export class BufferedResponse {
  readonly ok: boolean;
  readonly headers: BufferedHeaders;
  readonly redirected = false;
  readonly type = 'basic';
  bodyUsed = false;

  constructor(
    private readonly bytes: Buffer,
    readonly status: number,
    readonly statusText: string,
    rawHeaders: readonly string[],
    readonly url = '',
  ) {
    this.ok = status >= 200 && status < 300;
    this.headers = new BufferedHeaders(rawHeaders);
  }

  text(): Promise<string> {
    this.bodyUsed = true;
    return Promise.resolve(this.bytes.toString('utf8'));
  }

  json(): Promise<unknown> {
    return this.text().then((text) => JSON.parse(text) as unknown);
  }

  arrayBuffer(): Promise<ArrayBuffer> {
    this.bodyUsed = true;
    const { buffer, byteOffset, byteLength } = this.bytes;
    return Promise.resolve(buffer.slice(byteOffset, byteOffset + byteLength) as ArrayBuffer);
  }

  /** Rarely asked for on a unary answer: a real stream then. */
  get body(): ReadableStream<Uint8Array> | null {
    return new Response(this.bytes).body;
  }

  clone(): BufferedResponse {
    return new BufferedResponse(this.bytes, this.status, this.statusText, this.headers.raw, this.url);
  }
}

/** The read side of fetch's Headers over Node's raw header list (names compared case-insensitively). */
export class BufferedHeaders {
  constructor(readonly raw: readonly string[]) {}

  get(name: string): string | null {
    const wanted = name.toLowerCase();
    const values: string[] = [];
    for (let i = 0; i + 1 < this.raw.length; i += 2)
      if (this.raw[i].toLowerCase() === wanted) values.push(this.raw[i + 1]);
    return values.length > 0 ? values.join(', ') : null;
  }

  has(name: string): boolean {
    return this.get(name) !== null;
  }

  *entries(): IterableIterator<[string, string]> {
    for (let i = 0; i + 1 < this.raw.length; i += 2) yield [this.raw[i].toLowerCase(), this.raw[i + 1]];
  }

  forEach(callback: (value: string, name: string) => void): void {
    for (const [name, value] of this.entries()) callback(value, name);
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }
}
