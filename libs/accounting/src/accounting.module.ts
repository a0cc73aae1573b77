import { Global, Module } from '@nestjs/common';
import { ClientSpend } from './client-spend';
import { UsagePricer } from './pricing';
import { UsageRecorder } from './usage-recorder';
import { UsageReports } from './usage-reports';
import { UsageRollup } from './usage-rollup';

const SERVICES = [UsageRecorder, UsagePricer, ClientSpend, UsageReports, UsageRollup];

/**
 * Per-request accounting: recording, pricing, reports and the hourly rollup. Needs the global
 * ConfigModule, PersistenceModule and RegistryModule. One per process (global): one recorder buffer.
 */
@Global()
@Module({ providers: SERVICES, exports: SERVICES })
export class AccountingModule {}
