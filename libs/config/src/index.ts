export * from './env-schema';
export * from './keyfleet-config';
export * from './config.module';
export * from './config-docs';
