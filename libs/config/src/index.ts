export * from './env-schema';
export * from './keyfleet-config';
export * from './config.module';
