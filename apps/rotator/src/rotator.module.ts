import { BullModule } from '@nestjs/bullmq';
import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigModule, type KeyfleetConfig } from '@keyfleet/config';
import { IssuersModule } from '@keyfleet/issuers';
import { HealthModule, loggingModule } from '@keyfleet/observability';
import { PersistenceModule } from '@keyfleet/persistence';
import { QueueModule, QueueName, RedisModule } from '@keyfleet/queue';
import { RegistryModule } from '@keyfleet/registry';
import { DueRotations } from './rotation/due-rotations';
import { KeyProof } from './rotation/key-proof';
import { KeyRotator } from './rotation/key-rotator';
import { RestrictionDrift } from './rotation/restriction-drift';
import { RotationLeases } from './rotation/rotation-leases';
import { RotationSteps } from './rotation/rotation-steps';
import { RotationTrigger } from './rotation/rotation-trigger';
import { OverdueKeys } from './sweep/overdue-keys';
import { RotationSweep } from './sweep/rotation-sweep';
import { RotationSweepProcessor } from './sweep/rotation-sweep.processor';
import { SweepSchedule } from './sweep/sweep-schedule';

/** The rotator process: the scheduled sweep and key rotations through issuers. Its processor is registered only here. */
@Module({})
export class RotatorModule {
  /** `background: false` (tests) leaves out the queue worker and the schedule: steps run only when called. */
  static forRoot(config: KeyfleetConfig, options: { background?: boolean } = {}): DynamicModule {
    const background = options.background === false ? [] : [RotationSweepProcessor, SweepSchedule];
    return {
      module: RotatorModule,
      imports: [
        ConfigModule.forRoot(config),
        loggingModule(config, 'rotator'),
        PersistenceModule.forRoot(config),
        RedisModule.forRoot(config),
        QueueModule.forRoot(config),
        BullModule.registerQueue({ name: QueueName.RotationSweep }),
        HealthModule,
        RegistryModule,
        IssuersModule,
      ],
      providers: [
        ...background,
        OverdueKeys,
        RotationSweep,
        RotationLeases,
        RotationSteps,
        KeyProof,
        KeyRotator,
        DueRotations,
        RestrictionDrift,
        RotationTrigger,
      ],
      exports: [OverdueKeys, KeyRotator, RotationSweep, RestrictionDrift],
    };
  }
}
