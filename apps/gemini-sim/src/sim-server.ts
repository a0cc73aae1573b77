// The simulator's HTTP server (plain node:http for sub-millisecond overhead) and its router.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ResolvedSimConfig, SimConfig } from '@keyfleet/testing';
import { createApiKeysSurface, type ApiKeysSurface } from './apikeys/api-keys-routes';
import {
  internalErrorBody,
  invalidArgumentBody,
  multipleCredentialsBody,
  pathNotFoundBody,
} from './errors/google-error-bodies';
import { Reply } from './http/reply';
import {
  BodyTooLargeError,
  credentialPlaces,
  peerAddress,
  presentedKey,
  readBody,
  readBodyBytes,
} from './http/request-io';
import { handleAdmin } from './routes/admin';
import type { ApiCall } from './routes/api-call';
import { handleBatchCreate, routeBatches } from './routes/batches';
import { handleFileUpload } from './routes/file-upload';
import { routeFiles } from './routes/files';
import { handleCountTokens } from './routes/count-tokens';
import { handleBatchEmbedContents, handleEmbedContent } from './routes/embed-content';
import { handleGenerateContent } from './routes/generate-content';
import { handleGetModel, handleListModels } from './routes/models';
import { handleChatCompletions } from './routes/openai-chat';
import { handleOpenAiEmbeddings } from './routes/openai-embeddings';
import { parseSimConfig } from './sim-config';
import { Delays, type SimContext } from './sim-context';
import { SimState } from './sim-state';

export interface SimServerOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  /** The clock (epoch ms) used for every quota decision; tests inject one to move time. */
  now?: () => number;
  /** The dice for faults and latency, in [0, 1). */
  random?: () => number;
}

export interface SimServerHandle {
  url: string;
  port: number;
  /** In-process access to the state, for tests. */
  state: SimState;
  /** The API Keys API v2 subset and its STS token endpoint. */
  apiKeys: ApiKeysSurface;
  close(): Promise<void>;
}

// Google also serves file downloads under /download/ and uploads under /upload/.
const API_PATH = /^\/(?:download\/)?(v1beta|v1)\/(.+)$/;
const UPLOAD_PATH = /^\/upload\/(v1beta|v1)\/files$/;
const MODEL_PATH = /^models\/([^/:]+)(?::([A-Za-z]+))?$/;

async function routeApi(ctx: SimContext, call: ApiCall, method: string, rest: string): Promise<void> {
  if (rest === 'openai/chat/completions' && method === 'POST') return handleChatCompletions(ctx, call);
  if (rest === 'openai/embeddings' && method === 'POST') return handleOpenAiEmbeddings(ctx, call);
  if (rest === 'models' && method === 'GET') return handleListModels(ctx, call);
  if (routeBatches(ctx, call, method, rest)) return;
  if (routeFiles(ctx, call, method, rest)) return;
  const match = MODEL_PATH.exec(rest);
  const [model, action] = match ? [decodeURIComponent(match[1]), match[2]] : [];
  if (model && !action && method === 'GET') return handleGetModel(ctx, call, model);
  if (model && method === 'POST') {
    if (action === 'generateContent') return handleGenerateContent(ctx, call, model, false);
    if (action === 'streamGenerateContent') return handleGenerateContent(ctx, call, model, true);
    if (action === 'countTokens') return handleCountTokens(ctx, call, model);
    if (action === 'embedContent') return handleEmbedContent(ctx, call, model);
    if (action === 'batchEmbedContents') return handleBatchEmbedContents(ctx, call, model);
    if (action === 'batchGenerateContent') return handleBatchCreate(ctx, call, model, 'generate');
    if (action === 'asyncBatchEmbedContent') return handleBatchCreate(ctx, call, model, 'embed');
  }
  call.reply.json(404, pathNotFoundBody(call.url.pathname));
}

async function handle(
  ctx: SimContext,
  apiKeys: ApiKeysSurface,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://sim.local');
  const method = req.method ?? 'GET';
  if (apiKeys.owns(url.pathname)) return apiKeys.handle(req, url, new Reply(res), await readBody(req));
  if (url.pathname.startsWith('/sim/'))
    return handleAdmin(ctx, req, url, new Reply(res), await readBody(req));
  const api = API_PATH.exec(url.pathname);
  const upload = UPLOAD_PATH.exec(url.pathname);
  const openAi = api?.[2].startsWith('openai/') ?? false;
  const key = presentedKey(req, url.searchParams, openAi);
  ctx.state.stats.countRequest(key, (api ?? upload)?.[1]);
  res.once('close', ctx.state.stats.countOpen());
  const reply = new Reply(res, (status) => ctx.state.stats.countAnswer(status));
  if (upload && method === 'POST') {
    const bytes = await readBodyBytes(req);
    const call: ApiCall = { req, reply, url, apiVersion: upload[1], key, peerIp: peerAddress(req), body: '' };
    return handleFileUpload(ctx, call, bytes);
  }
  if (!api) return reply.json(404, pathNotFoundBody(url.pathname));
  if (key?.startsWith('AQ.') && credentialPlaces(req, url.searchParams) > 1) {
    const body = multipleCredentialsBody();
    return reply.json(400, openAi ? [body] : body);
  }
  const body = method === 'GET' ? '' : await readBody(req);
  const call: ApiCall = { req, reply, url, apiVersion: api[1], key, peerIp: peerAddress(req), body };
  await routeApi(ctx, call, method, api[2]);
}

function answerFailure(res: ServerResponse, error: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = error instanceof BodyTooLargeError ? invalidArgumentBody(error.message) : internalErrorBody();
  new Reply(res).json(body.error.code, body);
}

function listen(server: ReturnType<typeof createServer>, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Starts a simulator; `config` is validated (throws SimConfigError naming the bad field). */
export async function startSimServer(
  config: SimConfig | ResolvedSimConfig,
  options: SimServerOptions = {},
): Promise<SimServerHandle> {
  const state = new SimState(parseSimConfig(config));
  const delays = new Delays();
  const ctx: SimContext = {
    state,
    delays,
    now: options.now ?? Date.now,
    random: options.random ?? Math.random,
  };
  const apiKeys = createApiKeysSurface(state, () => ctx.now());
  const server = createServer((req, res) => {
    handle(ctx, apiKeys, req, res).catch((error: unknown) => answerFailure(res, error));
  });
  // Longer than typical client pools' idle timeout, so pooled connections are not cut under a client.
  server.keepAliveTimeout = 65_000;
  const host = options.host ?? '127.0.0.1';
  const port = await listen(server, options.port ?? 0, host);
  const reachableHost =
    host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const close = () =>
    new Promise<void>((resolve) => {
      delays.releaseAll();
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return { url: `http://${reachableHost}:${port}`, port, state, apiKeys, close };
}
