// POST /v1beta/openai/embeddings: Gemini's OpenAI-compatible embeddings; each input is one request.
import { invalidArgumentBody, modelNotFoundBody, type GoogleErrorBody } from '../errors/google-error-bodies';
import { DEFAULT_EMBEDDING_DIMENSIONS, embeddingOf } from '../embeddings';
import { decideEach } from '../generation-gate';
import { parseJsonObject } from '../http/request-io';
import { checkKey } from '../key-auth';
import { isKnownModel } from '../models-catalog';
import type { SimContext } from '../sim-context';
import { countTextTokens } from '../tokens';
import { invalidJsonBody, type ApiCall } from './api-call';

interface EmbeddingsRequest {
  model: string;
  inputs: string[];
  dimensions: number;
}

const fail = (call: ApiCall, status: number, body: unknown) => call.reply.json(status, [body]);

export async function handleOpenAiEmbeddings(ctx: SimContext, call: ApiCall): Promise<void> {
  const auth = checkKey(ctx.state, call.key, call.peerIp, 'GenerativeService.BatchEmbedContents');
  if (!auth.ok) return fail(call, auth.body.error.code, auth.body);
  const request = parseEmbeddingsRequest(call.body);
  if ('error' in request) return fail(call, 400, request);
  if (!isKnownModel(request.model, ctx.state.configuredModels))
    return fail(call, 404, modelNotFoundBody(request.model, call.apiVersion, 'embedContent'));
  const decision = decideEach(
    ctx,
    auth.entry,
    request.model,
    request.inputs.map((input) => countTextTokens([input])),
  );
  if (decision.kind === 'drop') {
    ctx.state.stats.countDropped();
    return call.reply.drop();
  }
  await ctx.delays.wait(decision.delayMs);
  if (decision.kind === 'error') return fail(call, decision.status, decision.body);
  const tokens = countTextTokens(request.inputs);
  call.reply.json(200, {
    object: 'list',
    data: request.inputs.map((input, index) => ({
      object: 'embedding',
      index,
      embedding: embeddingOf(input, request.dimensions),
    })),
    model: request.model,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  });
}

function parseEmbeddingsRequest(body: string): EmbeddingsRequest | GoogleErrorBody {
  const parsed = parseJsonObject(body);
  if (!parsed) return invalidJsonBody();
  const { model, input, dimensions } = parsed;
  if (typeof model !== 'string' || !model) return invalidArgumentBody('model is required');
  const inputs = typeof input === 'string' ? [input] : input;
  if (!Array.isArray(inputs) || inputs.length === 0 || inputs.some((i) => typeof i !== 'string'))
    return invalidArgumentBody('input must be a string or a non-empty list of strings');
  const size =
    typeof dimensions === 'number' && dimensions > 0
      ? Math.min(Math.floor(dimensions), DEFAULT_EMBEDDING_DIMENSIONS)
      : DEFAULT_EMBEDDING_DIMENSIONS;
  return { model: model.replace(/^models\//, ''), inputs: inputs as string[], dimensions: size };
}
