import { BullModule } from '@nestjs/bullmq';
import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigModule, type KeyfleetConfig } from '@keyfleet/config';
import { HealthModule, loggingModule } from '@keyfleet/observability';
import { PersistenceModule } from '@keyfleet/persistence';
import { QueueModule, QueueName, RedisModule } from '@keyfleet/queue';
import { RegistryModule } from '@keyfleet/registry';
import { OverdueKeys } from './sweep/overdue-keys';
import { RotationSweepProcessor } from './sweep/rotation-sweep.processor';
import { SweepSchedule } from './sweep/sweep-schedule';

/** The rotator process: the scheduled sweep over upstream keys. Its processor is registered only here. */
@Module({})
export class RotatorModule {
  static forRoot(config: KeyfleetConfig): DynamicModule {
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
      ],
      providers: [OverdueKeys, RotationSweepProcessor, SweepSchedule],
      exports: [OverdueKeys],
    };
  }
}
