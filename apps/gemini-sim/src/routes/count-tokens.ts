// POST /models/{model}:countTokens → {totalTokens}; never counts against quota.
import { modelNotFoundBody } from '../errors/google-error-bodies';
import { parseJsonObject } from '../http/request-io';
import { checkKey } from '../key-auth';
import { isKnownModel } from '../models-catalog';
import type { SimContext } from '../sim-context';
import { countPromptTokens } from '../tokens';
import { invalidJsonBody, isErrorBody, validateGenerateRequest, type ApiCall } from './api-call';

export function handleCountTokens(ctx: SimContext, call: ApiCall, model: string): void {
  const auth = checkKey(ctx.state, call.key, call.peerIp, 'GenerativeService.CountTokens');
  if (!auth.ok) return call.reply.json(auth.body.error.code, auth.body);
  if (!isKnownModel(model, ctx.state.configuredModels)) {
    return call.reply.json(404, modelNotFoundBody(model, call.apiVersion, 'countTokens'));
  }
  const body = parseJsonObject(call.body);
  if (!body) return call.reply.json(400, invalidJsonBody());
  // Either {contents} or {generateContentRequest: {model, contents, systemInstruction, …}}.
  const nested = body.generateContentRequest;
  const request =
    typeof nested === 'object' && nested !== null
      ? validateGenerateRequest(nested as Record<string, unknown>, 'GenerateContentRequest')
      : validateGenerateRequest(body, 'CountTokensRequest');
  if (isErrorBody(request)) return call.reply.json(400, request);
  const totalTokens = countPromptTokens(request);
  call.reply.json(200, { totalTokens, promptTokensDetails: [{ modality: 'TEXT', tokenCount: totalTokens }] });
}
