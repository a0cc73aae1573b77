import { RequestMethod, type Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DECORATORS } from '@nestjs/swagger';
import { z } from 'zod';
import {
  createDocument,
  type ZodOpenApiObject,
  type ZodOpenApiOperationObject,
  type ZodOpenApiPathsObject,
  type ZodOpenApiResponsesObject,
} from 'zod-openapi';
import { ROUTE_DOC, type ResponseDoc, type RouteAuth, type RouteDoc } from './route-doc';
import { LIBRARY_ROUTE_DOCS } from './library-routes';
import { errorBody } from './schemas/common';

/** A route the app serves, as Express knows it: `GET /admin/v1/projects/:id`. */
export interface ServedRoute {
  method: string;
  path: string;
  /** The controller's prefix the path is under. */
  prefix: string;
  /** `ProjectsController.get`, for messages. */
  handler: string;
  docs: RouteDoc[] | undefined;
}

const SECURITY: Record<RouteAuth, Array<Record<string, string[]>>> = {
  admin: [{ adminToken: [] }],
  client: [{ clientKey: [] }, { clientKeyHeader: [] }, { clientKeyQuery: [] }],
  none: [],
};

const STATUS_TEXT: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  400: 'Invalid argument (the message names the field or line)',
  401: 'Missing or invalid key or token',
  403: 'The key is used from outside its allowlist',
  404: 'Not found',
  409: 'Already exists',
  413: 'Too large',
  429: 'No room in the pool within the wait allowed (Retry-After says when)',
  503: 'Unavailable',
};

/** Every route of these controllers, with its docs (undefined when it has none). */
export function servedRoutes(controllers: Type[]): ServedRoute[] {
  return controllers.flatMap((controller) => {
    const prefixes = asList(Reflect.getMetadata(PATH_METADATA, controller));
    const proto = controller.prototype as Record<string, unknown>;
    return Object.getOwnPropertyNames(proto).flatMap((name) => {
      const handler = proto[name];
      if (name === 'constructor' || typeof handler !== 'function') return [];
      const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
      if (method === undefined) return [];
      const own = Reflect.getMetadata(ROUTE_DOC, handler) as RouteDoc[] | undefined;
      return prefixes.flatMap((prefix) =>
        asList(Reflect.getMetadata(PATH_METADATA, handler)).map((sub) => {
          const path = joinPath(prefix, sub);
          const verb = RequestMethod[method];
          return {
            method: verb,
            path,
            prefix: joinPath(prefix, ''),
            handler: `${controller.name}.${name}`,
            docs: own ?? LIBRARY_ROUTE_DOCS[`${verb} ${path}`],
          };
        }),
      );
    });
  });
}

/** Names each route without a schema, so whoever adds a route knows exactly what to document. */
export function undocumented(routes: ServedRoute[]): string[] {
  return routes
    .filter((route) => !route.docs || route.docs.length === 0)
    .map((route) => `${route.method} ${route.path} (${route.handler}) has no @ApiRoute schema`);
}

/** The OpenAPI 3.1 document of these controllers' routes. */
export function buildOpenApiDocument(controllers: Type[]): ReturnType<typeof createDocument> {
  const paths: ZodOpenApiPathsObject = {};
  const operationIds = new Set<string>();
  for (const controller of controllers) {
    const tags = (Reflect.getMetadata(DECORATORS.API_TAGS, controller) as string[] | undefined) ?? ['ops'];
    for (const route of servedRoutes([controller])) {
      for (const doc of route.docs ?? []) {
        // Express' `:id` becomes `{id}`; a doc's own path is already an OpenAPI template (`{model}:countTokens`).
        const template = doc.path ? joinPath(route.prefix, doc.path) : route.path.replace(/:(\w+)/g, '{$1}');
        const item = (paths[template] ??= {});
        const verb = route.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete';
        const id = `${route.handler.replace('.', '_')}${doc.path ? `_${suffix(doc.path)}` : ''}`;
        // A controller served under two prefixes (`/v1beta` and `/v1`): the second one's ids name it.
        const unique = operationIds.has(id) ? `${id}_${suffix(route.prefix)}` : id;
        operationIds.add(unique);
        item[verb] = operation(doc, tags, unique);
      }
    }
  }
  return createDocument(documentBase(paths));
}

function documentBase(paths: ZodOpenApiPathsObject): ZodOpenApiObject {
  return {
    openapi: '3.1.0',
    info: {
      title: 'keyfleet',
      version: '1',
      description:
        'A quota-exact gateway over a pool of Gemini API keys. Clients call with a `kf_…` key; admins with ' +
        '`KF_ADMIN_TOKEN`. Errors are Gemini-shaped: `{ "error": { "code", "message", "status" } }`.',
    },
    servers: [{ url: '/' }],
    paths,
    components: {
      securitySchemes: {
        adminToken: {
          type: 'http',
          scheme: 'bearer',
          description: '`Authorization: Bearer $KF_ADMIN_TOKEN`',
        },
        clientKey: { type: 'http', scheme: 'bearer', description: '`Authorization: Bearer kf_…`' },
        clientKeyHeader: { type: 'apiKey', in: 'header', name: 'x-goog-api-key' },
        clientKeyQuery: { type: 'apiKey', in: 'query', name: 'key' },
      },
    },
  };
}

function operation(doc: RouteDoc, tags: string[], operationId: string): ZodOpenApiOperationObject {
  const op: ZodOpenApiOperationObject = {
    operationId,
    summary: doc.summary,
    tags,
    security: SECURITY[doc.auth],
    responses: responses(doc),
  };
  if (doc.description) op.description = doc.description;
  const params = { path: doc.params, query: doc.query, header: doc.headers };
  const given = Object.entries(params).filter(([, schema]) => schema !== undefined);
  if (given.length > 0) op.requestParams = Object.fromEntries(given);
  if (doc.body) {
    const content = doc.body instanceof z.ZodType ? { 'application/json': doc.body } : doc.body;
    op.requestBody = {
      required: true,
      content: Object.fromEntries(Object.entries(content).map(([type, schema]) => [type, { schema }])),
    };
  }
  return op;
}

function responses(doc: RouteDoc): ZodOpenApiResponsesObject {
  const out: ZodOpenApiResponsesObject = {};
  for (const [status, response] of Object.entries(doc.responses))
    out[status as `2${string}`] = responseObject(Number(status), response);
  const errors = new Set(doc.errors ?? []);
  if (doc.auth !== 'none') errors.add(401);
  if (doc.auth === 'client') errors.add(403);
  for (const status of [...errors].sort()) {
    out[String(status) as `4${string}`] ??= {
      description: STATUS_TEXT[status] ?? 'Error',
      content: { 'application/json': { schema: errorBody } },
    };
  }
  return out;
}

function responseObject(status: number, response: ResponseDoc) {
  const description = STATUS_TEXT[status] ?? 'Answer';
  if (response instanceof z.ZodType)
    return { description, content: { 'application/json': { schema: response } } };
  const content = response.content
    ? Object.fromEntries(Object.entries(response.content).map(([type, schema]) => [type, { schema }]))
    : undefined;
  const headers = 'headers' in response && response.headers ? { headers: response.headers } : {};
  return { description: response.description ?? description, ...(content ? { content } : {}), ...headers };
}

function asList(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  return [typeof value === 'string' ? value : '/'];
}

function joinPath(prefix: string, sub: string): string {
  const joined = `/${[prefix, sub]
    .map((part) => part.replace(/^\/+|\/+$/g, ''))
    .filter(Boolean)
    .join('/')}`;
  return joined;
}

function suffix(path: string): string {
  return path.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_|_$/g, '');
}
