import type { GenerateContentParameters } from '@google/genai';

/** A REST GenerateContentRequest, as clients submit it (`{ contents, generationConfig?, systemInstruction?, … }`). */
export type GenerateContentRequestBody = Record<string, unknown> & { contents: unknown };

// Fields of the REST request that the SDK takes in `config` under the same name.
const CONFIG_FIELDS = [
  'systemInstruction',
  'safetySettings',
  'tools',
  'toolConfig',
  'cachedContent',
  'labels',
];

/**
 * The SDK takes generationConfig's fields flattened into `config` together with the other top-level
 * fields, and turns them back into the REST body itself.
 */
export function toSdkParameters(
  model: string,
  request: GenerateContentRequestBody,
): GenerateContentParameters {
  const generationConfig =
    typeof request['generationConfig'] === 'object' && request['generationConfig'] !== null
      ? (request['generationConfig'] as Record<string, unknown>)
      : {};
  const config: Record<string, unknown> = { ...generationConfig };
  for (const field of CONFIG_FIELDS) {
    if (request[field] !== undefined) config[field] = request[field];
  }
  return {
    model,
    contents: request.contents as GenerateContentParameters['contents'],
    config,
  };
}
