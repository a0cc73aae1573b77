// The admin API under /sim/ (no auth): config, projects, keys, faults, key policy, stats.
import type { IncomingMessage } from 'node:http';
import { settleDueJobs } from '../batch/batch-settle';
import type { Reply } from '../http/reply';
import { parseJsonObject } from '../http/request-io';
import {
  mergeKeyPolicy,
  parseAddKey,
  parseKeyPatch,
  parseSimConfig,
  parseSimFaults,
  parseSimProject,
  SimConfigError,
} from '../sim-config';
import type { SimContext } from '../sim-context';
import { SimAdminError } from '../sim-state';

type AdminHandler = (ctx: SimContext, input: AdminInput) => unknown;

interface AdminInput {
  body: string;
  /** The `:key` path parameter, if any. */
  param?: string;
}

function jsonBody(body: string): unknown {
  if (body.trim() === '') return undefined;
  const parsed = parseJsonObject(body);
  if (!parsed) throw new SimConfigError('Invalid body: (root): not a JSON object');
  return parsed;
}

const ROUTES: Record<string, AdminHandler> = {
  'GET /sim/config': (ctx) => ctx.state.config,
  'PUT /sim/config': (ctx, { body }) => {
    ctx.state.replaceConfig(parseSimConfig(jsonBody(body)));
    return ctx.state.config;
  },
  'POST /sim/projects': (ctx, { body }) => {
    const project = parseSimProject(jsonBody(body));
    ctx.state.addProject(project);
    return project;
  },
  'POST /sim/keys': (ctx, { body }) => {
    ctx.state.addKey(parseAddKey(jsonBody(body)));
    return { ok: true };
  },
  'PATCH /sim/keys/:key': (ctx, { body, param }) =>
    ctx.state.patchKey(param ?? '', parseKeyPatch(jsonBody(body))),
  'DELETE /sim/keys/:key': (ctx, { param }) => {
    ctx.state.deleteKey(param ?? '');
    return { ok: true };
  },
  'PUT /sim/faults': (ctx, { body }) => {
    ctx.state.setFaults(parseSimFaults(jsonBody(body) ?? {}));
    return ctx.state.config.faults;
  },
  'PUT /sim/key-policy': (ctx, { body }) => {
    ctx.state.setKeyPolicy(mergeKeyPolicy(ctx.state.config.keyPolicy, jsonBody(body) ?? {}));
    return ctx.state.config.keyPolicy;
  },
  'GET /sim/stats': (ctx) => {
    settleDueJobs(ctx);
    return ctx.state.stats.snapshot(ctx.now());
  },
  'POST /sim/stats/reset': (ctx) => {
    ctx.state.resetStats();
    return { ok: true };
  },
};

function routeOf(method: string, pathname: string): { handler?: AdminHandler; param?: string } {
  const keyMatch = /^\/sim\/keys\/([^/]+)$/.exec(pathname);
  if (keyMatch)
    return { handler: ROUTES[`${method} /sim/keys/:key`], param: decodeURIComponent(keyMatch[1]) };
  return { handler: ROUTES[`${method} ${pathname}`] };
}

export function handleAdmin(
  ctx: SimContext,
  req: IncomingMessage,
  url: URL,
  reply: Reply,
  body: string,
): void {
  const { handler, param } = routeOf(req.method ?? 'GET', url.pathname);
  if (!handler)
    return reply.json(404, adminError(404, 'NOT_FOUND', `no admin route ${req.method} ${url.pathname}`));
  try {
    reply.json(200, handler(ctx, { body, param }));
  } catch (error) {
    if (error instanceof SimConfigError)
      return reply.json(400, adminError(400, 'INVALID_ARGUMENT', error.message));
    if (error instanceof SimAdminError) {
      const status = error.status === 404 ? 'NOT_FOUND' : 'ALREADY_EXISTS';
      return reply.json(error.status, adminError(error.status, status, error.message));
    }
    throw error;
  }
}

function adminError(code: number, status: string, message: string) {
  return { error: { code, message, status } };
}
