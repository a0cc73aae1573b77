import type { Request } from 'express';

/** Google serves the Gemini REST surface under both; `@google/genai` 3.x calls `v1` by default. */
export type GeminiApiVersion = 'v1' | 'v1beta';

/** The version a native call came in under, so it goes upstream under the same one. */
export function apiVersionOf(request: Request): GeminiApiVersion {
  return request.path.startsWith('/v1/') || request.path === '/v1' ? 'v1' : 'v1beta';
}
