// POST /models/{model}:embedContent and :batchEmbedContents. Each content is one request against the
// model's quota (Google bills a batch of N as N requests per minute, as public reports measured it).
import { invalidArgumentBody, modelNotFoundBody, type GoogleErrorBody } from '../errors/google-error-bodies';
import { DEFAULT_EMBEDDING_DIMENSIONS, embeddingOf } from '../embeddings';
import { decideEach } from '../generation-gate';
import { parseJsonObject } from '../http/request-io';
import { checkKey } from '../key-auth';
import { isKnownModel } from '../models-catalog';
import type { SimContext } from '../sim-context';
import { countTextTokens, promptTexts } from '../tokens';
import { invalidJsonBody, type ApiCall } from './api-call';

/** Google's cap on one batchEmbedContents call. */
export const MAX_BATCH_EMBED = 100;

export interface EmbedRequest {
  texts: string[];
  dimensions: number;
}

export async function handleEmbedContent(ctx: SimContext, call: ApiCall, model: string): Promise<void> {
  const body = parseJsonObject(call.body);
  const request = body ? embedRequestOf(body, 'EmbedContentRequest') : invalidJsonBody();
  const requests = 'error' in request ? request : [request];
  await answerEmbeddings(ctx, call, model, 'EmbedContent', requests, (embeddings) => ({
    embedding: embeddings[0],
  }));
}

export async function handleBatchEmbedContents(ctx: SimContext, call: ApiCall, model: string): Promise<void> {
  const body = parseJsonObject(call.body);
  await answerEmbeddings(
    ctx,
    call,
    model,
    'BatchEmbedContents',
    body ? batchOf(body) : invalidJsonBody(),
    (embeddings) => ({ embeddings }),
  );
}

async function answerEmbeddings(
  ctx: SimContext,
  call: ApiCall,
  model: string,
  rpc: string,
  requests: EmbedRequest[] | GoogleErrorBody,
  shape: (embeddings: Array<{ values: number[] }>) => object,
): Promise<void> {
  const auth = checkKey(ctx.state, call.key, call.peerIp, `GenerativeService.${rpc}`);
  if (!auth.ok) return call.reply.json(auth.body.error.code, auth.body);
  if (!isKnownModel(model, ctx.state.configuredModels)) {
    const method = rpc.charAt(0).toLowerCase() + rpc.slice(1);
    return call.reply.json(404, modelNotFoundBody(model, call.apiVersion, method));
  }
  if ('error' in requests) return call.reply.json(400, requests);
  const decision = decideEach(
    ctx,
    auth.entry,
    model,
    requests.map((request) => countTextTokens(request.texts)),
  );
  if (decision.kind === 'drop') {
    ctx.state.stats.countDropped();
    return call.reply.drop();
  }
  await ctx.delays.wait(decision.delayMs);
  if (decision.kind === 'error') return call.reply.json(decision.status, decision.body);
  const embeddings = requests.map((request) => ({
    values: embeddingOf(request.texts.join('\n'), request.dimensions),
  }));
  call.reply.json(200, shape(embeddings));
}

function batchOf(body: Record<string, unknown>): EmbedRequest[] | GoogleErrorBody {
  const { requests } = body;
  if (!Array.isArray(requests) || requests.length === 0)
    return invalidArgumentBody('* BatchEmbedContentsRequest.requests: requests is not specified\n');
  if (requests.length > MAX_BATCH_EMBED)
    return invalidArgumentBody(
      `* BatchEmbedContentsRequest.requests: at most ${MAX_BATCH_EMBED} requests can be in one batch\n`,
    );
  const parsed: EmbedRequest[] = [];
  for (const [i, request] of requests.entries()) {
    const one =
      typeof request === 'object' && request !== null
        ? embedRequestOf(request as Record<string, unknown>, `BatchEmbedContentsRequest.requests[${i}]`)
        : invalidArgumentBody(`Invalid value at 'requests[${i}]'`);
    if ('error' in one) return one;
    parsed.push(one);
  }
  return parsed;
}

export function embedRequestOf(
  request: Record<string, unknown>,
  label: string,
): EmbedRequest | GoogleErrorBody {
  const { content, outputDimensionality } = request;
  if (typeof content !== 'object' || content === null)
    return invalidArgumentBody(`* ${label}.content: content is not specified\n`);
  const dimensions =
    typeof outputDimensionality === 'number' && outputDimensionality > 0
      ? Math.min(Math.floor(outputDimensionality), DEFAULT_EMBEDDING_DIMENSIONS)
      : DEFAULT_EMBEDDING_DIMENSIONS;
  return { texts: promptTexts({ contents: [content] }), dimensions };
}
