// Reading requests: the body, the presented API key and the caller's address.
import type { IncomingMessage } from 'node:http';
import ipaddr from 'ipaddr.js';

const MAX_BODY_BYTES = 32 * 1024 * 1024;

export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
}

export function readBody(req: IncomingMessage): Promise<string> {
  return readBodyBytes(req).then((bytes) => bytes.toString('utf8'));
}

/** The raw body (file uploads), at most 32 MB per request. */
export function readBodyBytes(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES)
        reject(new BodyTooLargeError(`request body exceeds ${MAX_BODY_BYTES} bytes`));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** The first value of a request header, if any. */
export function headerOf(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Where the client reached the simulator, for URLs in answers (upload URLs, file URIs). */
export function originOf(req: IncomingMessage): string {
  return `http://${req.headers.host ?? '127.0.0.1'}`;
}

/** Parses JSON; undefined when the text is not JSON or not an object. */
export function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The key from `x-goog-api-key`, `?key=`, or (where allowed) `Authorization: Bearer`. */
export function presentedKey(
  req: IncomingMessage,
  query: URLSearchParams,
  allowBearer: boolean,
): string | undefined {
  const header = req.headers['x-goog-api-key'];
  if (typeof header === 'string' && header) return header;
  const fromQuery = query.get('key');
  if (fromQuery) return fromQuery;
  const authorization = req.headers.authorization;
  if (allowBearer && authorization?.startsWith('Bearer ')) return authorization.slice(7).trim() || undefined;
  return undefined;
}

/** How many places a credential came in: `x-goog-api-key`, `?key=`, `Authorization`. */
export function credentialPlaces(req: IncomingMessage, query: URLSearchParams): number {
  return [req.headers['x-goog-api-key'], query.get('key'), req.headers.authorization].filter(Boolean).length;
}

/** The socket peer's address, with IPv4-mapped IPv6 (::ffff:1.2.3.4) written as IPv4. */
export function peerAddress(req: IncomingMessage): string {
  const address = req.socket.remoteAddress ?? '';
  return ipaddr.isValid(address) ? ipaddr.process(address).toString() : address;
}

/** True if `ip` is one of `allowed` (IPs or CIDRs); an empty list allows everyone. */
export function isIpAllowed(ip: string, allowed: readonly string[]): boolean {
  if (allowed.length === 0) return true;
  if (!ipaddr.isValid(ip)) return false;
  const address = ipaddr.process(ip);
  return allowed.some((entry) => {
    if (!entry.includes('/')) return ipaddr.process(entry).toString() === address.toString();
    const [range, bits] = ipaddr.parseCIDR(entry);
    return range.kind() === address.kind() && address.match(range, bits);
  });
}
