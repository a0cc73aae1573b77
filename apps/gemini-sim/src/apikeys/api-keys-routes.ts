// The API Keys API v2 subset keyfleet's issuer uses, the STS token endpoint, and their test admin routes.
import type { IncomingMessage } from 'node:http';
import type { Reply } from '../http/reply';
import { parseJsonObject } from '../http/request-io';
import type { SimState } from '../sim-state';
import type { ApiKeyResource } from './api-key-resource';
import { apiKeysErrorBody, unauthenticatedBody } from './api-keys-errors';
import { ApiKeysError, ApiKeysStore } from './api-keys-store';
import { AccessTokens } from './sts-tokens';

const KEYS = /^\/v2\/projects\/([^/]+)\/locations\/global\/keys$/;
const KEY = /^\/v2\/(projects\/([^/]+)\/locations\/global\/keys\/([^/:]+))(\/keyString)?$/;
const OPERATION = /^\/v2\/(operations\/[^/]+)$/;

export interface ApiKeysSurface {
  store: ApiKeysStore;
  tokens: AccessTokens;
  /** True if the path belongs to this surface (then `handle` answers it). */
  owns(pathname: string): boolean;
  handle(req: IncomingMessage, url: URL, reply: Reply, body: string): void;
}

function bearerOf(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  return header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
}

function keyInput(body: string): Partial<ApiKeyResource> {
  if (body.trim() === '') return {};
  const parsed = parseJsonObject(body);
  if (!parsed) throw new ApiKeysError(400, 'Invalid JSON payload received.');
  return parsed;
}

function routeApi(store: ApiKeysStore, method: string, url: URL, body: string): unknown {
  const path = url.pathname;
  const operation = OPERATION.exec(path);
  if (operation && method === 'GET') return store.pollOperation(operation[1]);
  const keys = KEYS.exec(path);
  if (keys && method === 'POST')
    return store.create(keys[1], url.searchParams.get('keyId') ?? '', keyInput(body));
  if (keys && method === 'GET') return { keys: store.list(keys[1]) };
  const key = KEY.exec(path);
  if (key && key[4] && method === 'GET') return { keyString: store.keyString(key[1]) };
  if (key && !key[4]) {
    if (method === 'GET') return store.get(key[1]);
    if (method === 'DELETE') return store.delete(key[1]);
    if (method === 'PATCH') {
      const mask = (url.searchParams.get('updateMask') ?? '').split(',').filter(Boolean);
      return store.update(key[1], keyInput(body), mask);
    }
  }
  throw new ApiKeysError(404, `The requested URL ${path} was not found on this server.`);
}

function routeAdmin(surface: ApiKeysSurface, method: string, path: string, body: string): unknown {
  const input = parseJsonObject(body) ?? {};
  if (method === 'GET' && path === '/sim/apikeys')
    return { ...surface.store.snapshot(), exchanges: surface.tokens.exchanges };
  if (method === 'PUT' && path === '/sim/apikeys/faults') {
    const { failCreates, operationPolls } = input as { failCreates?: number; operationPolls?: number };
    surface.store.faults = {
      failCreates: Number(failCreates ?? 0),
      operationPolls: Number(operationPolls ?? 1),
    };
    return surface.store.faults;
  }
  if (method === 'POST' && path === '/sim/apikeys/tokens' && typeof input['token'] === 'string') {
    surface.tokens.allow(input['token']);
    return { ok: true };
  }
  throw new ApiKeysError(404, `no admin route ${method} ${path}`);
}

export function createApiKeysSurface(state: SimState, now: () => number): ApiKeysSurface {
  const surface: ApiKeysSurface = {
    store: new ApiKeysStore(state, now),
    tokens: new AccessTokens(),
    owns: (pathname) =>
      pathname.startsWith('/v2/') || pathname === '/sts/v1/token' || pathname.startsWith('/sim/apikeys'),
    handle: (req, url, reply, body) => {
      const method = req.method ?? 'GET';
      if (url.pathname === '/sts/v1/token' && method === 'POST') return surface.tokens.exchange(body, reply);
      try {
        if (url.pathname.startsWith('/sim/'))
          return reply.json(200, routeAdmin(surface, method, url.pathname, body));
        if (!surface.tokens.isValid(bearerOf(req))) return reply.json(401, unauthenticatedBody());
        reply.json(200, routeApi(surface.store, method, url, body));
      } catch (error) {
        if (!(error instanceof ApiKeysError)) throw error;
        reply.json(error.code, apiKeysErrorBody(error.code, error.message));
      }
    },
  };
  return surface;
}
