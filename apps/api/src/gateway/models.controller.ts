import { Controller, Get, Param, Req, UseFilters, UseGuards } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { ClientAuthGuard } from '../auth/client-auth.guard';
import { ApiRoute } from '../openapi/route-doc';
import { geminiModel, geminiModelList, modelParam, openAiModelList } from '../openapi/schemas/gateway';
import { apiVersionOf } from './api-version';
import { ModelListFilter } from './gateway-filters';
import { GatewayModels } from './gateway-models';
import { wantsOpenAiShape } from './model-list-shape';

const BOTH_SHAPES =
  "Gemini's shape to a Gemini client (key in `x-goog-api-key` or `?key=`); under `/v1`, OpenAI's to a bearer key";

/** The models the pool serves, in the shape the calling SDK expects (see model-list-shape.ts). */
@ApiTags('gemini')
@Controller(['v1beta', 'v1'])
@UseGuards(ClientAuthGuard)
@UseFilters(ModelListFilter)
export class ModelsController {
  constructor(private readonly models: GatewayModels) {}

  @Get('models')
  @ApiRoute({
    summary: 'The models the pool serves (ListModels)',
    description: BOTH_SHAPES,
    auth: 'client',
    responses: { 200: geminiModelList.or(openAiModelList) },
  })
  list(@Req() request: Request): Promise<object> {
    return wantsOpenAiShape(request) ? this.models.openAiList() : this.models.geminiList();
  }

  @Get('models/:model')
  @ApiRoute({
    summary: 'One served model',
    description: BOTH_SHAPES,
    auth: 'client',
    params: modelParam,
    responses: { 200: geminiModel },
    errors: [404],
  })
  get(@Param('model') model: string, @Req() request: Request): Promise<object> {
    if (wantsOpenAiShape(request)) return this.models.openAiModel(model);
    return this.models.geminiModel(model, apiVersionOf(request));
  }
}
