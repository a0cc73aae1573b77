import { Module } from '@nestjs/common';
import { FairShareModule } from '@keyfleet/fair-share';
import { Backlog } from './backlog';
import { BatchItemsStore } from './batch-items.store';
import { BatchPauses } from './batch-pauses';
import { BatchesService } from './batches.service';
import { OpenItemsQueries } from './open-items.queries';
import { WorkerLeases } from './worker-leases';

/**
 * Batches and their items in Postgres, and their turns in the fair scheduler. Needs the global
 * PersistenceModule, RedisModule and ConfigModule.
 * (Named "core" to tell it from the api's BatchesModule, which serves these over HTTP.)
 */
@Module({
  imports: [FairShareModule],
  providers: [BatchesService, BatchItemsStore, Backlog, OpenItemsQueries, WorkerLeases, BatchPauses],
  exports: [
    BatchesService,
    BatchItemsStore,
    Backlog,
    OpenItemsQueries,
    WorkerLeases,
    BatchPauses,
    FairShareModule,
  ],
})
export class BatchesCoreModule {}
