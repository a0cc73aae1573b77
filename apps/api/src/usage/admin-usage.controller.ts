import { Controller, Get, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { UsageReports } from '@keyfleet/accounting';
import { ZodPipe } from '../admin/zod.pipe';
import { AdminAuthGuard } from '../auth/admin-auth.guard';
import { ApiRoute } from '../openapi/route-doc';
import { adminUsageQuery, usageCsv, usageReport, type UsageQueryInput } from '../openapi/schemas/usage';
import { sendUsage, usageQueryOf } from './usage-answer';

@ApiTags('admin')
@ApiBearerAuth()
@Controller('admin/v1/usage')
@UseGuards(AdminAuthGuard)
export class AdminUsageController {
  constructor(private readonly reports: UsageReports) {}

  /** What every client used and spent, grouped as asked (default: per client, this month). */
  @Get()
  @ApiRoute({
    summary: 'Accounting: requests, tokens and cost per client, project, model, day, lane or batch',
    auth: 'admin',
    query: adminUsageQuery,
    responses: { 200: { content: { 'application/json': usageReport, 'text/csv': usageCsv } } },
    errors: [400],
  })
  async usage(
    @Query(new ZodPipe(adminUsageQuery)) input: UsageQueryInput,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    sendUsage(await this.reports.report(usageQueryOf(input, 'client')), input, req, res);
  }
}
