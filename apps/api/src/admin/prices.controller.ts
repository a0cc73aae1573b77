import { Body, Controller, Delete, Get, Param, Put, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import {
  ModelPricesService,
  modelName,
  modelPriceInput,
  type ModelPriceInput,
  type ModelPriceView,
} from '@keyfleet/registry';
import { AdminAuthGuard } from '../auth/admin-auth.guard';
import { ApiRoute } from '../openapi/route-doc';
import { modelPriceList, modelPriceView } from '../openapi/schemas/registry';
import { ADMIN_ACTOR } from './admin-actor';
import { ZodPipe } from './zod.pipe';

const modelParam = z.object({ model: modelName });

/** The prices spend is counted at: Google's list prices shipped with keyfleet, overridable per model. */
@ApiTags('admin')
@ApiBearerAuth()
@Controller('admin/v1/prices')
@UseGuards(AdminAuthGuard)
export class PricesController {
  constructor(private readonly prices: ModelPricesService) {}

  @Get()
  @ApiRoute({
    summary: 'Model prices (US dollars per million tokens): shipped list prices and overrides',
    auth: 'admin',
    responses: { 200: modelPriceList },
  })
  async list(): Promise<{ prices: ModelPriceView[] }> {
    return { prices: await this.prices.list() };
  }

  @Put(':model')
  @ApiRoute({
    summary: "Override a model's price",
    auth: 'admin',
    params: modelParam,
    body: modelPriceInput,
    responses: { 200: modelPriceView },
    errors: [400],
  })
  set(
    @Param('model', new ZodPipe(modelName, 'model')) model: string,
    @Body(new ZodPipe(modelPriceInput)) body: ModelPriceInput,
  ): Promise<ModelPriceView> {
    return this.prices.set(model, body, ADMIN_ACTOR);
  }

  @Delete(':model')
  @ApiRoute({
    summary: "Drop a model's price override (the shipped price applies again); answers every price",
    auth: 'admin',
    params: modelParam,
    responses: { 200: modelPriceList },
    errors: [400, 404],
  })
  async remove(
    @Param('model', new ZodPipe(modelName, 'model')) model: string,
  ): Promise<{ prices: ModelPriceView[] }> {
    await this.prices.remove(model, ADMIN_ACTOR);
    return this.list();
  }
}
