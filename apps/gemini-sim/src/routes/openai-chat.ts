// POST /v1beta/openai/chat/completions: Gemini's OpenAI-compatible endpoint; its errors come wrapped in an array.
import { buildAnswer, type SimAnswer } from '../content';
import { invalidArgumentBody, modelNotFoundBody, type GoogleErrorBody } from '../errors/google-error-bodies';
import { decideForTier, openAiServiceTierOf, setTierHeader, type ServiceTier } from '../flex-tier';
import { parseJsonObject } from '../http/request-io';
import { checkKey } from '../key-auth';
import { isKnownModel } from '../models-catalog';
import type { SimContext } from '../sim-context';
import { countPromptTokens, type GenerateContentRequest } from '../tokens';
import { invalidJsonBody, isErrorBody, type ApiCall } from './api-call';

interface ChatMessage {
  role?: unknown;
  content?: unknown;
}

interface ChatRequest {
  model: string;
  request: GenerateContentRequest;
  stream: boolean;
  tier: ServiceTier;
}

const fail = (call: ApiCall, status: number, body: unknown) => call.reply.json(status, [body]);

export async function handleChatCompletions(ctx: SimContext, call: ApiCall): Promise<void> {
  setTierHeader(call.reply, 'standard');
  const auth = checkKey(ctx.state, call.key, call.peerIp, 'GenerativeService.GenerateContent');
  if (!auth.ok) return fail(call, auth.body.error.code, auth.body);
  const chat = parseChatRequest(call.body);
  if ('error' in chat) return fail(call, 400, chat);
  setTierHeader(call.reply, chat.tier);
  if (!isKnownModel(chat.model, ctx.state.configuredModels)) {
    return fail(call, 404, modelNotFoundBody(chat.model, call.apiVersion, 'generateContent'));
  }
  const tokens = countPromptTokens(chat.request);
  const answer = buildAnswer(chat.request, tokens);
  const output = answer.usage.candidatesTokenCount;
  const decision = decideForTier(ctx, auth.entry, chat.model, tokens, output, chat.tier);
  if (decision.kind === 'drop') {
    ctx.state.stats.countDropped();
    return call.reply.drop();
  }
  await ctx.delays.wait(decision.delayMs);
  if (decision.kind === 'error') return fail(call, decision.status, decision.body);
  const created = Math.floor(ctx.now() / 1000);
  if (!chat.stream) return call.reply.json(200, completion(chat.model, answer, created));
  call.reply.openEvents();
  const last = answer.chunks.length - 1;
  answer.chunks.forEach((text, index) => {
    call.reply.event(
      JSON.stringify(completionChunk(chat.model, answer, created, text, index, index === last)),
      '\n\n',
    );
  });
  call.reply.event('[DONE]', '\n\n');
  call.reply.end();
}

function parseChatRequest(body: string): ChatRequest | GoogleErrorBody {
  const parsed = parseJsonObject(body);
  if (!parsed) return invalidJsonBody();
  const { model, messages, stream } = parsed;
  if (typeof model !== 'string' || !model) return invalidArgumentBody('model is required');
  if (!Array.isArray(messages) || messages.length === 0) return invalidArgumentBody('messages is required');
  const tier = openAiServiceTierOf(parsed);
  if (isErrorBody(tier)) return tier;
  return {
    tier,
    model: model.replace(/^models\//, ''),
    request: toGeminiRequest(messages as ChatMessage[]),
    stream: stream === true,
  };
}

/** System and developer messages become systemInstruction; the rest become contents. */
function toGeminiRequest(messages: ChatMessage[]): GenerateContentRequest {
  const system: { text: string }[] = [];
  const contents: { role: string; parts: { text: string }[] }[] = [];
  for (const message of messages) {
    const parts = textParts(message.content);
    if (message.role === 'system' || message.role === 'developer') system.push(...parts);
    else contents.push({ role: message.role === 'assistant' ? 'model' : 'user', parts });
  }
  return system.length > 0 ? { systemInstruction: { parts: system }, contents } : { contents };
}

function textParts(content: unknown): { text: string }[] {
  if (typeof content === 'string') return [{ text: content }];
  if (!Array.isArray(content)) return [];
  return content.flatMap((part: unknown) => {
    const text = typeof part === 'object' && part !== null ? (part as { text?: unknown }).text : undefined;
    return typeof text === 'string' ? [{ text }] : [];
  });
}

function usage(answer: SimAnswer) {
  const { promptTokenCount, candidatesTokenCount, totalTokenCount } = answer.usage;
  return {
    completion_tokens: candidatesTokenCount,
    prompt_tokens: promptTokenCount,
    total_tokens: totalTokenCount,
  };
}

function completion(model: string, answer: SimAnswer, created: number) {
  return {
    choices: [{ finish_reason: 'stop', index: 0, message: { content: answer.text, role: 'assistant' } }],
    created,
    id: answer.responseId,
    model,
    object: 'chat.completion',
    usage: usage(answer),
  };
}

function completionChunk(
  model: string,
  answer: SimAnswer,
  created: number,
  text: string,
  index: number,
  final: boolean,
) {
  const delta = index === 0 ? { content: text, role: 'assistant' } : { content: text };
  const chunk: Record<string, unknown> = {
    choices: [{ delta, finish_reason: final ? 'stop' : null, index: 0 }],
    created,
    id: answer.responseId,
    model,
    object: 'chat.completion.chunk',
  };
  if (final) chunk.usage = usage(answer);
  return chunk;
}
