import { Global, Module, type DynamicModule } from '@nestjs/common';
import { BullModule } from '@nestjs/bullmq';
import { KEYFLEET_CONFIG, type KeyfleetConfig } from '@keyfleet/config';
import { bullOptions } from './bull-options';
import { DispatchQueues } from './dispatch-queues';

/** BullMQ for a process: one shared configuration (connection, `KF_QUEUE_PREFIX`, job defaults) and the dispatch queues. */
@Global()
@Module({})
export class QueueModule {
  static forRoot(config: KeyfleetConfig): DynamicModule {
    return {
      module: QueueModule,
      imports: [BullModule.forRoot(bullOptions(config))],
      providers: [DispatchQueues],
      exports: [DispatchQueues],
    };
  }

  /** The same, reading the config from the global ConfigModule (for modules imported without arguments). */
  static forRootFromConfig(): DynamicModule {
    return {
      module: QueueModule,
      imports: [
        BullModule.forRootAsync({
          useFactory: (config: KeyfleetConfig) => bullOptions(config),
          inject: [KEYFLEET_CONFIG],
        }),
      ],
      providers: [DispatchQueues],
      exports: [DispatchQueues],
    };
  }
}
