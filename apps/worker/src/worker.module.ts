import { Module, type DynamicModule } from '@nestjs/common';
import { ADMISSION_TIMING, InteractiveReserve, UpstreamPicker } from '@keyfleet/admission';
import { ConfigModule, type KeyfleetConfig } from '@keyfleet/config';
import { BatchesCoreModule } from '@keyfleet/batches';
import { HealthModule, loggingModule } from '@keyfleet/observability';
import { PersistenceModule } from '@keyfleet/persistence';
import { QueueModule, RedisModule } from '@keyfleet/queue';
import { quotaEngineProvider } from '@keyfleet/quota';
import { RegistryModule } from '@keyfleet/registry';
import { UpstreamModule } from '@keyfleet/upstream';
import { BatchItemProcessor } from './dispatch/batch-item.processor';
import { DEFAULT_DISPATCH_TIMING, DISPATCH_TIMING, type DispatchTiming } from './dispatch/dispatch-timing';
import { DispatchWorkers } from './dispatch/dispatch-workers';
import { Reconciler } from './recovery/reconciler';

export interface WorkerModuleOptions {
  /** Shorter waits for tests. */
  timing?: Partial<DispatchTiming>;
}

/** The worker process: dispatches batch items of every served model; the only place processors run. */
@Module({})
export class WorkerModule {
  static forRoot(config: KeyfleetConfig, options: WorkerModuleOptions = {}): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(config),
        loggingModule(config, 'worker'),
        PersistenceModule.forRoot(config),
        RedisModule.forRoot(config),
        QueueModule.forRoot(config),
        HealthModule,
        RegistryModule,
        UpstreamModule,
        BatchesCoreModule,
      ],
      providers: [
        { provide: DISPATCH_TIMING, useValue: { ...DEFAULT_DISPATCH_TIMING, ...options.timing } },
        // DispatchTiming extends AdmissionTiming: the picker reads the same values.
        { provide: ADMISSION_TIMING, useExisting: DISPATCH_TIMING },
        quotaEngineProvider,
        InteractiveReserve,
        UpstreamPicker,
        BatchItemProcessor,
        DispatchWorkers,
        Reconciler,
      ],
      exports: [DispatchWorkers, Reconciler],
    };
  }
}
