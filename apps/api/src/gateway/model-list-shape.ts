import type { Request } from 'express';
import { keyCameAsBearer } from '../auth/bearer-token';
import { apiVersionOf } from './api-version';

/**
 * `GET /v1/models` is both Gemini's ListModels (`@google/genai` 3.x calls `v1`) and OpenAI's model list
 * (the openai SDK with `baseURL` = keyfleet's `/v1`). They differ in how they send the key: the openai SDK
 * as a bearer token, a Gemini SDK in `x-goog-api-key` (or `?key=`). `/v1beta` is Gemini's only.
 */
export function wantsOpenAiShape(request: Request): boolean {
  return apiVersionOf(request) === 'v1' && keyCameAsBearer(request);
}
