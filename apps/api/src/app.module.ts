import { Module, type DynamicModule } from '@nestjs/common';
import { AccountingModule } from '@keyfleet/accounting';
import { AdmissionModule } from '@keyfleet/admission';
import type { KeyfleetConfig } from '@keyfleet/config';
import { ConfigModule } from '@keyfleet/config';
import { HealthModule, loggingModule } from '@keyfleet/observability';
import { PersistenceModule } from '@keyfleet/persistence';
import { RedisModule } from '@keyfleet/queue';
import { ClockModule, type Clock } from '@keyfleet/registry';
import { AdminModule } from './admin/admin.module';
import { BatchesModule } from './batches/batches.module';
import { DashboardModule } from './dashboard/dashboard.module';
import { GatewayModule } from './gateway/gateway.module';
import { OpenApiModule } from './openapi/openapi.module';
import { OpsModule } from './ops.module';
import { UsageModule } from './usage/usage.module';

/** The ingress: client batch API, Gemini-native and OpenAI-compatible endpoints, admin API, health. */
@Module({})
export class AppModule {
  /** `clock`: the caches' time (the system's unless a spec gives a ManualClock). */
  static forRoot(config: KeyfleetConfig, clock?: Clock): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        ClockModule.forRoot(clock),
        loggingModule(config, 'api'),
        PersistenceModule.forRoot(config),
        RedisModule.forRoot(config),
        HealthModule,
        AdmissionModule.forRoot(),
        AccountingModule,
        AdminModule,
        BatchesModule,
        GatewayModule,
        UsageModule,
        OpsModule,
        OpenApiModule,
        DashboardModule,
      ],
    };
  }
}
