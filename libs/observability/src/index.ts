export * from './logging.module';
export * from './readiness';
export * from './health.module';
export * from './health-server';
export * from './metrics';
export * from './metric-names';
export * from './keyfleet-metrics';
export * from './metrics.module';
