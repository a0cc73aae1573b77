import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller';
import { MetricsController } from './metrics.controller';
import { MetricsModule } from './metrics.module';
import { Readiness } from './readiness';

/**
 * /healthz, /readyz and /metrics for the api (HTTP app); workers serve the same through HealthServer.
 * Brings KeyfleetMetrics (global) to every process.
 */
@Module({
  imports: [TerminusModule.forRoot({ logger: false }), MetricsModule],
  providers: [Readiness],
  controllers: [HealthController, MetricsController],
  exports: [Readiness],
})
export class HealthModule {}
