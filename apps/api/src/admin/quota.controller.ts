import { Controller, Get, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { projectLimitsOf } from '@keyfleet/admission';
import { QuotaEngine, type ProjectUsage } from '@keyfleet/quota';
import { PoolService, type ModelLimits, type PoolProject } from '@keyfleet/registry';
import { AdminAuthGuard } from '../auth/admin-auth.guard';
import { ApiRoute } from '../openapi/route-doc';
import { quotaReport } from '../openapi/schemas/quota';

export interface QuotaRow extends Omit<ProjectUsage, 'blockedUntil'> {
  projectName: string;
  limits: ModelLimits;
  /** ISO time until which a 429 keeps the project out for this model, or null. */
  blockedUntil: string | null;
}

@ApiTags('admin')
@ApiBearerAuth()
@Controller('admin/v1/quota')
@UseGuards(AdminAuthGuard)
export class QuotaController {
  constructor(
    private readonly pool: PoolService,
    private readonly engine: QuotaEngine,
  ) {}

  /** Per served model and pool project: used in the rolling window and the Pacific day, and what is left. */
  @Get()
  @ApiRoute({
    summary: 'Per project and model: used and left in the rolling window and the Pacific day',
    auth: 'admin',
    responses: { 200: quotaReport },
  })
  async quota(): Promise<{ quota: QuotaRow[] }> {
    const models = await this.pool.servedModels();
    const perModel = await Promise.all(models.map((model) => this.modelUsage(model)));
    return { quota: perModel.flat() };
  }

  private async modelUsage(model: string): Promise<QuotaRow[]> {
    const projects = await this.pool.poolFor(model);
    const usage = await this.engine.usage(model, projects.map(projectLimitsOf));
    return usage.map((row, i) => toRow(row, projects[i]));
  }
}

function toRow(row: ProjectUsage, project: PoolProject): QuotaRow {
  return {
    ...row,
    projectName: project.name,
    limits: project.limits,
    blockedUntil: row.blockedUntil === null ? null : new Date(row.blockedUntil).toISOString(),
  };
}
