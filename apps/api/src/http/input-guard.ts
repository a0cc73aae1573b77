import type { IncomingMessage, ServerResponse } from 'node:http';
import { json, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { MAX_JSON_DEPTH, problemOfJsonText, problemOfText } from '@keyfleet/batches';

/**
 * Routes whose body goes on to Google as it came: a NUL is valid JSON text there and Google takes it.
 * Everywhere else (batches, admin) what arrives is stored in Postgres, which cannot hold a NUL.
 */
const PASS_THROUGH = [/^\/v1beta\//, /^\/v1\/models\//, /^\/v1\/chat\//];

export function nulAllowedOn(path: string): boolean {
  return PASS_THROUGH.some((route) => route.test(path));
}

/**
 * JSON bodies up to `maxBytes`, checked before they are parsed (json-text-check.ts): nesting deeper than
 * MAX_JSON_DEPTH, lone surrogates, and NULs where they would be stored are a 400 naming the field,
 * before JSON.parse spends seconds on megabytes of `[[[[` or anything recurses into it.
 */
export function checkedJsonBody(maxBytes: number): RequestHandler {
  return json({
    limit: maxBytes,
    verify: (req: IncomingMessage, _res: ServerResponse, body: Buffer, encoding: string) => {
      if (encoding.toLowerCase() !== 'utf-8') throw httpError(415, 'JSON must be UTF-8 (RFC 8259)');
      const allowNul = nulAllowedOn((req as Request).path);
      const problem = problemOfJsonText(body, { maxDepth: MAX_JSON_DEPTH, allowNul });
      if (problem) throw httpError(400, `${problem.path || 'body'}: ${problem.message}`);
    },
  });
}

/** Query parameters under the same rules (`?displayName=%00` would reach Postgres). */
export function checkedQuery(req: Request, _res: Response, next: NextFunction): void {
  const allowNul = nulAllowedOn(req.path);
  for (const [name, value] of Object.entries(req.query as Record<string, unknown>)) {
    for (const text of Array.isArray(value) ? value : [value]) {
      const problem = typeof text === 'string' ? problemOfText(text, allowNul) : null;
      if (problem) return next(httpError(400, `query parameter ${name.slice(0, 60)}: ${problem}`));
    }
  }
  next();
}

// An http-errors shaped error: Nest's Express adapter answers it with its status and message.
function httpError(status: number, message: string): Error {
  return Object.assign(new Error(message), { status, statusCode: status, expose: true });
}
