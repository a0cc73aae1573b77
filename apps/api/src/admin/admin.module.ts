import { Module } from '@nestjs/common';
import { RegistryModule } from '@keyfleet/registry';
import { AuthModule } from '../auth/auth.module';
import { AuditController } from './audit.controller';
import { ClientsController } from './clients.controller';
import { ProjectsController } from './projects.controller';
import { UpstreamKeysController } from './upstream-keys.controller';
import { UsageController } from './usage.controller';

/** The admin API under /admin/v1 (bearer $KF_ADMIN_TOKEN). */
@Module({
  imports: [RegistryModule, AuthModule],
  controllers: [
    ProjectsController,
    UpstreamKeysController,
    ClientsController,
    AuditController,
    UsageController,
  ],
})
export class AdminModule {}
