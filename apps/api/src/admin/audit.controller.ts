import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AuditService, auditQueryInput, type AuditPage, type AuditQuery } from '@keyfleet/registry';
import { AdminAuthGuard } from '../auth/admin-auth.guard';
import { ZodPipe } from './zod.pipe';
import { ApiRoute } from '../openapi/route-doc';
import { auditPage } from '../openapi/schemas/registry';

@ApiTags('admin')
@ApiBearerAuth()
@Controller('admin/v1/audit')
@UseGuards(AdminAuthGuard)
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  /** Newest first; `?before=<nextBefore>` reads the next page. */
  @Get()
  @ApiRoute({
    summary: 'The audit log, newest first',
    auth: 'admin',
    query: auditQueryInput,
    responses: { 200: auditPage },
    errors: [400],
  })
  list(@Query(new ZodPipe(auditQueryInput)) query: AuditQuery): Promise<AuditPage> {
    return this.audit.list(query);
  }
}
