import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller';
import { MetricsController } from './metrics.controller';
import { Readiness } from './readiness';

/** /healthz, /readyz and /metrics for the api (HTTP app); workers serve the same through HealthServer. */
@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  providers: [Readiness],
  controllers: [HealthController, MetricsController],
  exports: [Readiness],
})
export class HealthModule {}
