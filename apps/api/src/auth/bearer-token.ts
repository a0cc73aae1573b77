import type { Request } from 'express';

/** The token of `Authorization: Bearer <token>`, or null. */
export function bearerToken(request: Request): string | null {
  const header = request.headers.authorization;
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? null;
}

/** A client key as any Gemini SDK sends one: bearer, `x-goog-api-key`, or `?key=`. */
export function presentedClientKey(request: Request): string | null {
  const bearer = bearerToken(request);
  if (bearer) return bearer;
  const header = request.headers['x-goog-api-key'];
  if (typeof header === 'string' && header.trim()) return header.trim();
  const query = (request.query as Record<string, unknown> | undefined)?.['key'];
  return typeof query === 'string' && query ? query : null;
}

/** True when the client key came as a bearer token (OpenAI's SDKs), not as a Gemini SDK sends it. */
export function keyCameAsBearer(request: Request): boolean {
  return bearerToken(request) !== null;
}
