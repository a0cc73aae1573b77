// POST /models/{model}:generateContent and :streamGenerateContent (SSE with ?alt=sse, else a JSON array).
import { buildAnswer, generateContentResponse, type SimAnswer } from '../content';
import { modelNotFoundBody } from '../errors/google-error-bodies';
import { decideForTier, serviceTierOf, setTierHeader } from '../flex-tier';
import { checkKey } from '../key-auth';
import { isKnownModel } from '../models-catalog';
import type { SimContext } from '../sim-context';
import { countPromptTokens } from '../tokens';
import { isErrorBody, parseGenerateRequest, type ApiCall } from './api-call';

export async function handleGenerateContent(ctx: SimContext, call: ApiCall, model: string, stream: boolean) {
  const rpc = stream ? 'StreamGenerateContent' : 'GenerateContent';
  setTierHeader(call.reply, 'standard');
  const auth = checkKey(ctx.state, call.key, call.peerIp, `GenerativeService.${rpc}`);
  if (!auth.ok) return call.reply.json(auth.body.error.code, auth.body);
  if (!isKnownModel(model, ctx.state.configuredModels)) {
    const method = stream ? 'streamGenerateContent' : 'generateContent';
    return call.reply.json(404, modelNotFoundBody(model, call.apiVersion, method));
  }
  const request = parseGenerateRequest(call.body);
  if (isErrorBody(request)) return call.reply.json(400, request);
  const tier = serviceTierOf(request);
  if (isErrorBody(tier)) return call.reply.json(400, tier);
  setTierHeader(call.reply, tier);
  const tokens = countPromptTokens(request);
  const answer = buildAnswer(request, tokens);
  const output = answer.usage.candidatesTokenCount;
  const decision = decideForTier(ctx, auth.entry, model, tokens, output, tier);
  if (decision.kind === 'drop') {
    ctx.state.stats.countDropped();
    return call.reply.drop();
  }
  await ctx.delays.wait(decision.delayMs);
  if (decision.kind === 'error') return call.reply.json(decision.status, decision.body);
  if (!stream) return call.reply.json(200, generateContentResponse(model, answer, answer.text, true));
  const chunks = streamChunks(model, answer);
  if (call.url.searchParams.get('alt') !== 'sse') return call.reply.json(200, chunks);
  call.reply.openEvents();
  for (const chunk of chunks) call.reply.event(JSON.stringify(chunk));
  call.reply.end();
}

/** The answer in 3 chunks; only the last has finishReason and usageMetadata. */
function streamChunks(model: string, answer: SimAnswer): object[] {
  const last = answer.chunks.length - 1;
  return answer.chunks.map((text, index) => generateContentResponse(model, answer, text, index === last));
}
