import { Module } from '@nestjs/common';
import { RegistryModule } from '@keyfleet/registry';
import { AuthModule } from '../auth/auth.module';
import { BatchesModule } from '../batches/batches.module';
import { AuditController } from './audit.controller';
import { BatchesOverview } from './batches-overview';
import { ClientsController } from './clients.controller';
import { OperationsController } from './operations.controller';
import { PricesController } from './prices.controller';
import { ProjectsController } from './projects.controller';
import { UpstreamKeysController } from './upstream-keys.controller';
import { QuotaController } from './quota.controller';
import { UsageHistory } from './usage-history';

/** The admin API under /admin/v1 (bearer $KF_ADMIN_TOKEN). */
@Module({
  imports: [RegistryModule, AuthModule, BatchesModule],
  controllers: [
    ProjectsController,
    UpstreamKeysController,
    ClientsController,
    AuditController,
    QuotaController,
    OperationsController,
    PricesController,
  ],
  providers: [BatchesOverview, UsageHistory],
})
export class AdminModule {}
