import { Module, type DynamicModule } from '@nestjs/common';
import { AccountingModule } from '@keyfleet/accounting';
import { AdmissionModule } from '@keyfleet/admission';
import { BatchesCoreModule } from '@keyfleet/batches';
import { ConfigModule, type KeyfleetConfig } from '@keyfleet/config';
import { HealthModule, loggingModule } from '@keyfleet/observability';
import { PersistenceModule } from '@keyfleet/persistence';
import { BullModule } from '@nestjs/bullmq';
import { QueueModule, QueueName, RedisModule } from '@keyfleet/queue';
import { RegistryModule } from '@keyfleet/registry';
import { UpstreamModule } from '@keyfleet/upstream';
import { BATCH_MODE_PROVIDERS } from './batch-mode/batch-mode-providers';
import { BatchBudgetGate } from './dispatch/batch-budget-gate';
import { BatchItemRunner } from './dispatch/batch-item-runner';
import { DispatchLoops } from './dispatch/dispatch-loops';
import { DEFAULT_DISPATCH_TIMING, DISPATCH_TIMING, type DispatchTiming } from './dispatch/dispatch-timing';
import { ItemHandback } from './dispatch/item-handback';
import { ModelDispatchers } from './dispatch/model-dispatchers';
import { WorkerIdentity } from './dispatch/worker-identity';
import { LeaseKeeper } from './leases/lease-keeper';
import { LeaseRecovery } from './leases/lease-recovery';
import { BudgetResumer } from './maintenance/budget-resumer';
import { Reconciler } from './maintenance/reconciler';
import { UsageRollupJob } from './maintenance/usage-rollup-job';

export interface WorkerModuleOptions {
  /** Shorter waits for tests. */
  timing?: Partial<DispatchTiming>;
}

/** The worker process: dispatches the backlog of every served model; the only place items are sent from. */
@Module({})
export class WorkerModule {
  static forRoot(config: KeyfleetConfig, options: WorkerModuleOptions = {}): DynamicModule {
    const timing: DispatchTiming = { ...DEFAULT_DISPATCH_TIMING, ...options.timing };
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(config),
        loggingModule(config, 'worker'),
        PersistenceModule.forRoot(config),
        RedisModule.forRoot(config),
        QueueModule.forRoot(config),
        BullModule.registerQueue({ name: QueueName.BatchMode }),
        HealthModule,
        RegistryModule,
        UpstreamModule,
        BatchesCoreModule,
        AccountingModule,
        // DispatchTiming extends AdmissionTiming: the policy reads the same values.
        AdmissionModule.forRoot(timing),
      ],
      providers: [
        { provide: DISPATCH_TIMING, useValue: timing },
        { provide: WorkerIdentity, useValue: new WorkerIdentity() },
        BatchItemRunner,
        BatchBudgetGate,
        BudgetResumer,
        ItemHandback,
        ModelDispatchers,
        DispatchLoops,
        LeaseKeeper,
        LeaseRecovery,
        Reconciler,
        UsageRollupJob,
        ...BATCH_MODE_PROVIDERS,
      ],
      exports: [DispatchLoops, Reconciler, LeaseRecovery, WorkerIdentity],
    };
  }
}
