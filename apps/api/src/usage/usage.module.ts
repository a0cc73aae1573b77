import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { AdminUsageController } from './admin-usage.controller';
import { ClientUsageController } from './client-usage.controller';

/** Accounting over HTTP: GET /admin/v1/usage (every client) and GET /v1/usage (a client's own). */
@Module({
  imports: [AuthModule],
  controllers: [AdminUsageController, ClientUsageController],
})
export class UsageModule {}
