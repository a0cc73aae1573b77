import { Module } from '@nestjs/common';
import { BatchesCoreModule } from '@keyfleet/batches';
import { RegistryModule } from '@keyfleet/registry';
import { AuthModule } from '../auth/auth.module';
import { BatchBudget } from './batch-budget';
import { BatchEta } from './batch-eta';
import { BatchesController } from './batches.controller';
import { BatchSubmissions } from './batch-submissions';

/** /v1/batches: stores batches and announces them to the fair scheduler; the api sends no batch item. */
@Module({
  imports: [AuthModule, BatchesCoreModule, RegistryModule],
  controllers: [BatchesController],
  providers: [BatchSubmissions, BatchEta, BatchBudget],
  exports: [BatchEta],
})
export class BatchesModule {}
