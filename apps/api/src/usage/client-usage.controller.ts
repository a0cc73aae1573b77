import { Controller, Get, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { UsageReports } from '@keyfleet/accounting';
import type { AuthenticatedClient } from '@keyfleet/registry';
import { ZodPipe } from '../admin/zod.pipe';
import { ClientAuthGuard } from '../auth/client-auth.guard';
import { CurrentClient } from '../auth/current-client.decorator';
import { ApiRoute } from '../openapi/route-doc';
import { clientUsageQuery, usageCsv, usageReport, type UsageQueryInput } from '../openapi/schemas/usage';
import { sendUsage, usageQueryOf } from './usage-answer';

@ApiTags('client')
@ApiBearerAuth()
@Controller('v1/usage')
@UseGuards(ClientAuthGuard)
export class ClientUsageController {
  constructor(private readonly reports: UsageReports) {}

  /** The calling client's own usage and cost (default: per model, this month). */
  @Get()
  @ApiRoute({
    summary: 'Your own requests, tokens and cost per model, day, lane or batch',
    auth: 'client',
    query: clientUsageQuery,
    responses: { 200: { content: { 'application/json': usageReport, 'text/csv': usageCsv } } },
    errors: [400],
  })
  async usage(
    @Query(new ZodPipe(clientUsageQuery)) input: UsageQueryInput,
    @CurrentClient() client: AuthenticatedClient,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const query = usageQueryOf(input, 'model', client.clientId);
    sendUsage(await this.reports.report(query), input, req, res);
  }
}
