import { Body, Controller, Post, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { z } from 'zod';
import type { AuthenticatedClient } from '@keyfleet/registry';
import { ClientAuthGuard } from '../auth/client-auth.guard';
import { CurrentClient } from '../auth/current-client.decorator';
import { clientGone } from './client-gone';
import { OpenAiGatewayFilter } from './gateway-filters';
import { EmbeddingFanOut } from './embedding-fan-out';
import { openAiEmbedPiecesOf } from './embed-request';
import { GatewayModels } from './gateway-models';
import { InteractiveDispatcher } from './interactive-dispatcher';
import { chatRequestOf } from './openai-chat-request';
import { relayAnswer } from './relay';
import { openAiErrorBody } from './upstream-failure';
import { UpstreamHttp } from './upstream-http';
import { ApiRoute } from '../openapi/route-doc';
import {
  openAiChatRequest,
  openAiChatResponse,
  openAiEmbeddingsRequest,
  openAiEmbeddingsResponse,
  openAiError,
} from '../openapi/schemas/gateway';

const openAiErrorAnswer = (description: string) => ({
  description,
  content: { 'application/json': openAiError },
});

const UPSTREAM_PATH = '/v1beta/openai/chat/completions';
const EMBEDDINGS_PATH = '/v1beta/openai/embeddings';

/**
 * OpenAI-compatible chat (the `openai` SDK with `baseURL` = keyfleet's `/v1`). Forwarded as-is to
 * Gemini's own OpenAI-compatible endpoint, under the same quota engine as every other call.
 */
/** What an OpenAI-compatible call can answer besides its 200, in OpenAI's error shape. */
const OPENAI_CALL_ERRORS = {
  400: openAiErrorAnswer('Invalid request'),
  401: openAiErrorAnswer('Missing or invalid key'),
  403: openAiErrorAnswer('Outside the allowlist'),
  404: openAiErrorAnswer('Unknown model'),
  429: openAiErrorAnswer(
    "No room in the pool within the wait allowed, or the client's budget is reached (Retry-After says when)",
  ),
};

@ApiTags('openai')
@Controller('v1')
@UseGuards(ClientAuthGuard)
@UseFilters(OpenAiGatewayFilter)
export class OpenAiController {
  constructor(
    private readonly dispatcher: InteractiveDispatcher,
    private readonly http: UpstreamHttp,
    private readonly models: GatewayModels,
    private readonly embeddings: EmbeddingFanOut,
  ) {}

  @Post('chat/completions')
  @ApiRoute({
    summary: "chat.completions (stream too), quota-admitted; errors in OpenAI's shape",
    auth: 'client',
    body: openAiChatRequest,
    responses: {
      200: {
        content: {
          'application/json': openAiChatResponse,
          'text/event-stream': z
            .string()
            .meta({ description: 'With `stream: true`: chat.completion.chunk events' }),
        },
      },
      ...OPENAI_CALL_ERRORS,
    },
  })
  async chat(
    @Body() body: unknown,
    @Res() res: Response,
    @CurrentClient() client: AuthenticatedClient,
  ): Promise<void> {
    const chat = chatRequestOf(body);
    await this.models.requireServedOpenAi(chat.model);
    const signal = clientGone(res);
    const result = await this.dispatcher.dispatch({
      client,
      model: chat.model,
      estimate: chat.estimate,
      signal,
      send: (key, sendBy) =>
        this.http.send({
          method: 'POST',
          path: UPSTREAM_PATH,
          key,
          body: chat.body,
          signal,
          sendBy,
        }),
    });
    if (result.kind === 'failed') {
      const { status, message, rpcStatus } = result.failure;
      res.status(status).json(openAiErrorBody(status, message, rpcStatus));
      return;
    }
    const usage = await relayAnswer(result.answer, res);
    const origin = { clientId: client.clientId, surface: 'openai' as const };
    this.dispatcher.settle(result.slot, usage, origin, result.answer.serviceTier);
  }

  @Post('embeddings')
  @ApiRoute({
    summary: "embeddings: each input is one request under the embedding model's limits",
    auth: 'client',
    body: openAiEmbeddingsRequest,
    responses: {
      200: openAiEmbeddingsResponse,
      ...OPENAI_CALL_ERRORS,
    },
  })
  async embed(
    @Body() body: unknown,
    @Res() res: Response,
    @CurrentClient() client: AuthenticatedClient,
  ): Promise<void> {
    const { model, pieces } = openAiEmbedPiecesOf(body);
    await this.models.requireServedOpenAi(model);
    const origin = { clientId: client.clientId, surface: 'openai' as const };
    const result = await this.embeddings.send(
      client,
      model,
      EMBEDDINGS_PATH,
      pieces,
      clientGone(res),
      origin,
    );
    if (result.kind === 'failed') {
      const { status, message, rpcStatus } = result.failure;
      res.status(status).json(openAiErrorBody(status, message, rpcStatus));
      return;
    }
    res.status(200).json(mergedEmbeddings(model, result.answers as OpenAiEmbeddingAnswer[]));
  }
}

interface OpenAiEmbeddingAnswer {
  data?: Array<Record<string, unknown>>;
  usage?: { prompt_tokens?: number; total_tokens?: number };
}

/** One list from the per-input answers: indexes renumbered in input order, usage summed. */
function mergedEmbeddings(model: string, answers: OpenAiEmbeddingAnswer[]) {
  const data = answers.map((answer, index) => ({ ...(answer.data?.[0] ?? {}), index }));
  const sum = (field: 'prompt_tokens' | 'total_tokens') =>
    answers.reduce((total, answer) => total + (answer.usage?.[field] ?? 0), 0);
  return {
    object: 'list',
    data,
    model,
    usage: { prompt_tokens: sum('prompt_tokens'), total_tokens: sum('total_tokens') },
  };
}
