import { Module } from '@nestjs/common';
import { BatchesCoreModule } from '@keyfleet/batches';
import { QueueModule } from '@keyfleet/queue';
import { quotaEngineProvider } from '@keyfleet/quota';
import { RegistryModule } from '@keyfleet/registry';
import { AuthModule } from '../auth/auth.module';
import { BatchEta } from './batch-eta';
import { BatchesController } from './batches.controller';
import { BatchSubmissions } from './batch-submissions';

/**
 * /v1/batches. Brings its own BullMQ configuration (read from the global config) because the api's
 * AppModule imports this module without arguments; the api only enqueues, it registers no worker.
 */
@Module({
  imports: [AuthModule, QueueModule.forRootFromConfig(), BatchesCoreModule, RegistryModule],
  controllers: [BatchesController],
  providers: [BatchSubmissions, BatchEta, quotaEngineProvider],
  exports: [BatchEta],
})
export class BatchesModule {}
