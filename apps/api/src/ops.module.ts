import { Module } from '@nestjs/common';
import { quotaEngineProvider } from '@keyfleet/quota';
import { RegistryModule } from '@keyfleet/registry';
import { FleetReader } from './metrics/fleet-reader';
import { BullBoard } from './queues/bull-board';
import { BullMqMetrics } from './queues/bullmq-metrics';
import { QueueDiscovery } from './queues/queue-discovery';

/** What operators look at on the api: the fleet gauges and BullMQ's metrics on /metrics, Bull Board. */
@Module({
  imports: [RegistryModule],
  providers: [quotaEngineProvider, FleetReader, QueueDiscovery, BullMqMetrics, BullBoard],
  exports: [BullBoard, FleetReader],
})
export class OpsModule {}
