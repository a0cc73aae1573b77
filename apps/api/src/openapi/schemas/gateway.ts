import { z } from 'zod';
import { googleObject } from './common';
import { generateContentRequest, generateContentResponse } from './batches';

export const modelParam = z.object({ model: z.string().meta({ example: 'gemini-2.5-flash' }) });
export const streamQuery = z.object({
  alt: z.enum(['sse']).optional().meta({ description: '`sse` for server-sent events; else a JSON array' }),
});

export const geminiModel = googleObject('GeminiModel', "A model as Gemini's ListModels describes it");
export const geminiModelList = z.object({ models: z.array(geminiModel) }).meta({ id: 'GeminiModelList' });
export const countTokensRequest = googleObject(
  'CountTokensRequest',
  '`contents`, or a `generateContentRequest`',
);
export const countTokensResponse = googleObject('CountTokensResponse', "Gemini's answer (`totalTokens`)");
export { generateContentRequest, generateContentResponse };

export const openAiChatRequest = googleObject(
  'ChatCompletionRequest',
  "OpenAI's chat.completions body (`model`, `messages`, `stream`, …), forwarded to Gemini's OpenAI-compatible endpoint",
);
export const openAiChatResponse = googleObject(
  'ChatCompletion',
  "OpenAI's chat.completion, as Gemini answered it",
);
export const openAiModelList = z
  .object({
    object: z.literal('list'),
    data: z.array(
      z.object({ id: z.string(), object: z.literal('model'), created: z.number(), owned_by: z.string() }),
    ),
  })
  .meta({ id: 'OpenAiModelList' });
export const openAiError = z
  .object({
    error: z.object({ message: z.string(), type: z.string(), param: z.null(), code: z.string() }),
  })
  .meta({
    id: 'OpenAiError',
    description: "OpenAI's error shape (the openai SDK raises its own classes from it)",
  });

export const whoami = z
  .object({
    clientId: z.uuid(),
    name: z.string(),
    address: z.string().nullable().meta({ description: 'The address keyfleet sees the call coming from' }),
  })
  .meta({ id: 'Whoami' });

export const embedContentRequest = googleObject(
  'EmbedContentRequest',
  '`content`, and optionally `taskType`, `title`, `outputDimensionality`',
);
export const embedContentResponse = googleObject('EmbedContentResponse', '`{ embedding: { values } }`');
export const batchEmbedContentsRequest = googleObject(
  'BatchEmbedContentsRequest',
  '`requests`: up to 100 EmbedContentRequests, each with `model` = `models/{model}`',
);
export const batchEmbedContentsResponse = googleObject(
  'BatchEmbedContentsResponse',
  '`{ embeddings: [{ values }] }`, in the order of the requests',
);
export const openAiEmbeddingsRequest = googleObject(
  'EmbeddingsRequest',
  "OpenAI's embeddings body (`model`, `input`: a string or up to 100 strings, `dimensions`, …)",
);
export const openAiEmbeddingsResponse = googleObject(
  'EmbeddingsResponse',
  "OpenAI's list of embeddings, one per input in order, with `usage`",
);
