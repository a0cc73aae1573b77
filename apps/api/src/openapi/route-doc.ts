import { SetMetadata } from '@nestjs/common';
import type { z } from 'zod';

/** Who may call a route: the admin token, a client key (`kf_…`), or anyone. */
export type RouteAuth = 'admin' | 'client' | 'none';

/** One answer of a route: a JSON schema, or a schema per content type (NDJSON, SSE, HTML, …). */
export type ResponseDoc =
  | z.ZodType
  | { description?: string; content: Record<string, z.ZodType>; headers?: z.ZodObject }
  | { description: string; content?: undefined };

/**
 * What a route takes and answers, from the zod schemas that validate it: the one source of the OpenAPI
 * document. A controller method without one fails the "every route has a schema" test.
 */
export interface RouteDoc {
  summary: string;
  description?: string;
  auth: RouteAuth;
  /** The OpenAPI path below the controller's prefix when it differs from the Express one (`models/{model}:countTokens`). */
  path?: string;
  params?: z.ZodObject;
  query?: z.ZodObject;
  headers?: z.ZodObject;
  /** A JSON body, or a schema per content type. */
  body?: z.ZodType | Record<string, z.ZodType>;
  responses: Record<number, ResponseDoc>;
  /** Error statuses this route answers in Gemini's error shape (401/403 come with `auth`). */
  errors?: number[];
}

export const ROUTE_DOC = 'keyfleet:route-doc';

/** Documents a route (several docs: one Express route serving several OpenAPI paths). */
export const ApiRoute = (...docs: RouteDoc[]): MethodDecorator => SetMetadata(ROUTE_DOC, docs);
