import { Module, type DynamicModule } from '@nestjs/common';
import { KEYFLEET_CONFIG, type KeyfleetConfig } from '@keyfleet/config';
import { QuotaEngine, quotaEngineProvider } from '@keyfleet/quota';
import { ADMISSION_TIMING, DEFAULT_ADMISSION_TIMING, type AdmissionTiming } from './admission-timing';
import { ClientBudgets } from './budget/client-budgets';
import { DispatchPolicy } from './dispatch-policy';
import { InteractiveReserve } from './interactive-reserve';
import { UpstreamPicker } from './upstream-picker';

const EXPORTS = [
  QuotaEngine,
  InteractiveReserve,
  UpstreamPicker,
  DispatchPolicy,
  ClientBudgets,
  ADMISSION_TIMING,
];

/**
 * Admission for a process: its one QuotaEngine, the picker and the dispatch policy every lane uses.
 * Needs the global ConfigModule, RedisModule and RegistryModule. Imported once per process (global).
 */
@Module({})
export class AdmissionModule {
  static forRoot(timing: Partial<AdmissionTiming> = {}): DynamicModule {
    return {
      module: AdmissionModule,
      global: true,
      providers: [
        {
          provide: ADMISSION_TIMING,
          inject: [KEYFLEET_CONFIG],
          useFactory: (config: KeyfleetConfig): AdmissionTiming => ({
            ...DEFAULT_ADMISSION_TIMING,
            helpOnlyBlockMs: config.quota.helpOnlyBlockMs,
            ...timing,
          }),
        },
        quotaEngineProvider,
        InteractiveReserve,
        UpstreamPicker,
        DispatchPolicy,
        ClientBudgets,
      ],
      exports: EXPORTS,
    };
  }
}
