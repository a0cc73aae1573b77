import { Body, Controller, Param, Post, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { z } from 'zod';
import type { AuthenticatedClient } from '@keyfleet/registry';
import { ClientAuthGuard } from '../auth/client-auth.guard';
import { CurrentClient } from '../auth/current-client.decorator';
import { apiVersionOf } from './api-version';
import { clientGone } from './client-gone';
import { GeminiGatewayFilter } from './gateway-filters';
import { GatewayModels } from './gateway-models';
import { InteractiveDispatcher, type CallOrigin } from './interactive-dispatcher';
import { EmbeddingFanOut } from './embedding-fan-out';
import { embedPiecesOf } from './embed-request';
import { isEmbedMethod, parseModelCall, requestBodyOf, type EmbedMethod } from './model-call';
import { relayAnswer } from './relay';
import { UnmeteredCalls } from './unmetered-calls';
import { googleErrorBody } from './upstream-failure';
import { UpstreamHttp } from './upstream-http';
import type { UpstreamOutcome } from './upstream-outcome';
import type { AnswerUsage } from './usage-sniffer';
import { ApiRoute, type RouteDoc } from '../openapi/route-doc';
import {
  batchEmbedContentsRequest,
  batchEmbedContentsResponse,
  embedContentRequest,
  embedContentResponse,
  countTokensRequest,
  countTokensResponse,
  generateContentRequest,
  generateContentResponse,
  modelParam,
  streamQuery,
} from '../openapi/schemas/gateway';

const CALL_ERRORS = [400, 404, 429, 503];
const nativeCall = (method: string, doc: Omit<RouteDoc, 'auth' | 'path' | 'params'>): RouteDoc => ({
  ...doc,
  auth: 'client',
  path: `models/{model}:${method}`,
  params: modelParam,
  errors: CALL_ERRORS,
});

/**
 * The Gemini REST surface (`@google/genai` with `httpOptions.baseUrl` pointed here, a `kf_` key as its
 * apiKey), under `/v1` (the SDK's default since 3.x) and `/v1beta` as Google serves both; a call goes
 * upstream under the version it came in on. generateContent and streamGenerateContent go through the quota
 * engine; countTokens uses no generation quota. The model list is models.controller.ts.
 */
@ApiTags('gemini')
@Controller(['v1beta', 'v1'])
@UseGuards(ClientAuthGuard)
@UseFilters(GeminiGatewayFilter)
export class GeminiNativeController {
  constructor(
    private readonly dispatcher: InteractiveDispatcher,
    private readonly unmetered: UnmeteredCalls,
    private readonly http: UpstreamHttp,
    private readonly models: GatewayModels,
    private readonly embeddings: EmbeddingFanOut,
  ) {}

  @Post('models/:target')
  @ApiRoute(
    nativeCall('generateContent', {
      summary: "generateContent, quota-admitted; Google's answer relayed as it is",
      body: generateContentRequest,
      responses: { 200: generateContentResponse },
    }),
    nativeCall('streamGenerateContent', {
      summary: 'streamGenerateContent, quota-admitted; events relayed as they arrive',
      query: streamQuery,
      body: generateContentRequest,
      responses: {
        200: {
          content: {
            'text/event-stream': z
              .string()
              .meta({ description: 'With `alt=sse`: one `data: <GenerateContentResponse>` event each' }),
            'application/json': z.array(generateContentResponse),
          },
        },
      },
    }),
    nativeCall('embedContent', {
      summary: "embedContent under the embedding model's own limits (one request)",
      body: embedContentRequest,
      responses: { 200: embedContentResponse },
    }),
    nativeCall('batchEmbedContents', {
      summary: 'batchEmbedContents (at most 100): each content is one request, admitted on its own',
      body: batchEmbedContentsRequest,
      responses: { 200: batchEmbedContentsResponse },
    }),
    nativeCall('countTokens', {
      summary: 'countTokens (uses no generation quota)',
      body: countTokensRequest,
      responses: { 200: countTokensResponse },
    }),
  )
  async call(
    @Param('target') target: string,
    @Query('alt') alt: unknown,
    @Body() body: unknown,
    @Req() req: Request,
    @Res() res: Response,
    @CurrentClient() client: AuthenticatedClient,
  ): Promise<void> {
    const { model, method } = parseModelCall(target);
    const version = apiVersionOf(req);
    await this.models.requireServed(model, method, version);
    const origin = { clientId: client.clientId, surface: 'native' as const };
    if (isEmbedMethod(method))
      return this.embed(client, model, method, `/${version}/models/${model}`, body, res, origin);
    const request = requestBodyOf(body, method);
    const query = method === 'streamGenerateContent' && alt === 'sse' ? '?alt=sse' : '';
    const path = `/${version}/models/${model}:${method}${query}`;
    const signal = clientGone(res);
    const send = { method: 'POST' as const, path, body: request, signal };
    // countTokens is free at Google and uses no generation quota: nothing to record.
    if (method === 'countTokens') {
      const outcome = await this.unmetered.dispatch(model, (key) => this.http.send({ ...send, key }));
      await this.answer(outcome, res);
      return;
    }
    const result = await this.dispatcher.dispatch({
      client,
      model,
      estimate: request,
      signal,
      send: (key, sendBy) => this.http.send({ ...send, key, sendBy }),
    });
    const usage = await this.answer(result, res);
    if (result.kind === 'ok') this.dispatcher.settle(result.slot, usage, origin, result.answer.serviceTier);
  }

  /** embedContent and batchEmbedContents: each content its own admitted request (EmbeddingFanOut). */
  private async embed(
    client: AuthenticatedClient,
    model: string,
    method: EmbedMethod,
    modelPath: string,
    body: unknown,
    res: Response,
    origin: CallOrigin,
  ): Promise<void> {
    const pieces = embedPiecesOf(body, method, model);
    const path = `${modelPath}:embedContent`;
    const result = await this.embeddings.send(client, model, path, pieces, clientGone(res), origin);
    if (result.kind === 'failed') {
      res.status(result.failure.status).json(googleErrorBody(result.failure, result.body));
      return;
    }
    const embeddings = result.answers.map((answer) => (answer as { embedding?: unknown }).embedding);
    res.status(200).json(method === 'embedContent' ? { embedding: embeddings[0] } : { embeddings });
  }

  private async answer(outcome: UpstreamOutcome, res: Response): Promise<AnswerUsage | null> {
    if (outcome.kind === 'ok') return relayAnswer(outcome.answer, res);
    res.status(outcome.failure.status).json(googleErrorBody(outcome.failure, outcome.body));
    return null;
  }
}
