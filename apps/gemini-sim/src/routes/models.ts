// GET /models and GET /models/{model}: the models the configured projects serve.
import { modelNotFoundBody } from '../errors/google-error-bodies';
import { checkKey } from '../key-auth';
import { isKnownModel, modelInfo } from '../models-catalog';
import type { SimContext } from '../sim-context';
import type { ApiCall } from './api-call';

export function handleListModels(ctx: SimContext, call: ApiCall): void {
  const auth = checkKey(ctx.state, call.key, call.peerIp, 'ModelService.ListModels');
  if (!auth.ok) return call.reply.json(auth.body.error.code, auth.body);
  const models = [...ctx.state.configuredModels].sort().map(modelInfo);
  call.reply.json(200, { models });
}

export function handleGetModel(ctx: SimContext, call: ApiCall, model: string): void {
  const auth = checkKey(ctx.state, call.key, call.peerIp, 'ModelService.GetModel');
  if (!auth.ok) return call.reply.json(auth.body.error.code, auth.body);
  if (!isKnownModel(model, ctx.state.configuredModels)) {
    return call.reply.json(404, modelNotFoundBody(model, call.apiVersion, 'getModel'));
  }
  call.reply.json(200, modelInfo(model));
}
