import { Global, Module, type DynamicModule } from '@nestjs/common';
import { BullModule } from '@nestjs/bullmq';
import type { KeyfleetConfig } from '@keyfleet/config';
import { bullOptions } from './bull-options';

/** BullMQ for a process: one shared configuration (connection, `KF_QUEUE_PREFIX`, job defaults). */
@Global()
@Module({})
export class QueueModule {
  static forRoot(config: KeyfleetConfig): DynamicModule {
    return { module: QueueModule, imports: [BullModule.forRoot(bullOptions(config))] };
  }
}
