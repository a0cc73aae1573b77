import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AdminAuthGuard } from '../auth/admin-auth.guard';
import { ApiRoute } from '../openapi/route-doc';
import { adminBatchList, adminBatchQuery, type AdminBatchQuery } from '../openapi/schemas/admin-batches';
import { quotaHistory } from '../openapi/schemas/quota';
import { BatchesOverview } from './batches-overview';
import { UsageHistory, type UsageSample } from './usage-history';
import { ZodPipe } from './zod.pipe';

/** What the dashboard reads besides the registry: batches across clients, and the last hour of pool use. */
@ApiTags('admin')
@ApiBearerAuth()
@Controller('admin/v1')
@UseGuards(AdminAuthGuard)
export class OperationsController {
  constructor(
    private readonly batches: BatchesOverview,
    private readonly history: UsageHistory,
  ) {}

  @Get('batches')
  @ApiRoute({
    summary: 'Batches of every client, newest first, with progress and ETA',
    auth: 'admin',
    query: adminBatchQuery,
    responses: { 200: adminBatchList },
    errors: [400],
  })
  async listBatches(@Query(new ZodPipe(adminBatchQuery)) query: AdminBatchQuery) {
    return { batches: await this.batches.list(query) };
  }

  @Get('quota/history')
  @ApiRoute({
    summary: "Each project × model's rolling-window use, sampled over the last hour",
    auth: 'admin',
    responses: { 200: quotaHistory },
  })
  async usageHistory(): Promise<{ samples: UsageSample[] }> {
    return { samples: await this.history.lastHour() };
  }
}
