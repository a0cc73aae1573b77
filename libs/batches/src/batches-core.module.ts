import { Module } from '@nestjs/common';
import { BatchItemsStore } from './batch-items.store';
import { BatchesService } from './batches.service';
import { OpenItemsQueries } from './open-items.queries';

/**
 * Batches and their items in Postgres. Needs the global PersistenceModule and QueueModule (DispatchQueues).
 * (Named "core" to tell it from the api's BatchesModule, which serves these over HTTP.)
 */
@Module({
  providers: [BatchesService, BatchItemsStore, OpenItemsQueries],
  exports: [BatchesService, BatchItemsStore, OpenItemsQueries],
})
export class BatchesCoreModule {}
