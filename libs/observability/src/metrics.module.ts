import { Global, Module } from '@nestjs/common';
import { KeyfleetMetrics } from './keyfleet-metrics';

/** KeyfleetMetrics for every module of a process (global: upstream, admission, worker and api all count). */
@Global()
@Module({ providers: [KeyfleetMetrics], exports: [KeyfleetMetrics] })
export class MetricsModule {}
