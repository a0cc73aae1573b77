// Writes answers; every status written on the Gemini surface is reported once, for the stats.
import type { ServerResponse } from 'node:http';

export class Reply {
  constructor(
    readonly res: ServerResponse,
    private readonly onStatus: (status: number) => void = () => undefined,
  ) {}

  json(status: number, body: unknown): void {
    const payload = JSON.stringify(body);
    this.onStatus(status);
    this.res.writeHead(status, {
      'content-type': 'application/json; charset=UTF-8',
      'content-length': Buffer.byteLength(payload),
    });
    this.res.end(payload);
  }

  /** Raw bytes (file downloads, empty upload answers). */
  bytes(status: number, contentType: string, body: Buffer): void {
    this.onStatus(status);
    this.res.writeHead(status, { 'content-type': contentType, 'content-length': body.length });
    this.res.end(body);
  }

  /** Starts a 200 server-sent-events answer. */
  openEvents(): void {
    this.onStatus(200);
    this.res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  }

  /** One SSE event; Google separates events with "\r\n\r\n". */
  event(data: string, separator = '\r\n\r\n'): void {
    this.res.write(`data: ${data}${separator}`);
  }

  end(): void {
    this.res.end();
  }

  /** Destroys the connection without any answer, like a network failure. */
  drop(): void {
    this.res.socket?.destroy();
  }
}
