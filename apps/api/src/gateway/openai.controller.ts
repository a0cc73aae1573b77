import { Body, Controller, Post, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { z } from 'zod';
import { KeyfleetError } from '@keyfleet/errors';
import { ClientAuthGuard } from '../auth/client-auth.guard';
import { clientGone } from './client-gone';
import { OpenAiGatewayFilter } from './gateway-filters';
import { GatewayModels } from './gateway-models';
import { InteractiveDispatcher } from './interactive-dispatcher';
import { chatRequestOf } from './openai-chat-request';
import { relayAnswer } from './relay';
import { openAiErrorBody } from './upstream-failure';
import { UpstreamHttp } from './upstream-http';
import { ApiRoute } from '../openapi/route-doc';
import { openAiChatRequest, openAiChatResponse, openAiError } from '../openapi/schemas/gateway';

const openAiErrorAnswer = (description: string) => ({
  description,
  content: { 'application/json': openAiError },
});

const UPSTREAM_PATH = '/v1beta/openai/chat/completions';

/**
 * OpenAI-compatible chat (the `openai` SDK with `baseURL` = keyfleet's `/v1`). Forwarded as-is to
 * Gemini's own OpenAI-compatible endpoint, under the same quota engine as every other call.
 */
@ApiTags('openai')
@Controller('v1')
@UseGuards(ClientAuthGuard)
@UseFilters(OpenAiGatewayFilter)
export class OpenAiController {
  constructor(
    private readonly dispatcher: InteractiveDispatcher,
    private readonly http: UpstreamHttp,
    private readonly models: GatewayModels,
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
      400: openAiErrorAnswer('Invalid request'),
      401: openAiErrorAnswer('Missing or invalid key'),
      403: openAiErrorAnswer('Outside the allowlist'),
      404: openAiErrorAnswer('Unknown model'),
      429: openAiErrorAnswer('No room in the pool within the wait allowed (Retry-After says when)'),
    },
  })
  async chat(@Body() body: unknown, @Res() res: Response): Promise<void> {
    const chat = chatRequestOf(body);
    if (!(await this.models.isServed(chat.model)))
      throw KeyfleetError.notFound(
        `The model \`${chat.model}\` does not exist or you do not have access to it.`,
      );
    const signal = clientGone(res);
    const result = await this.dispatcher.dispatch({
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
    this.dispatcher.settle(result.slot, await relayAnswer(result.answer, res));
  }
}
