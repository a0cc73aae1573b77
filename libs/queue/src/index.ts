export * from './redis.module';
export * from './queue-names';
export * from './job-defaults';
export * from './bull-options';
export * from './queue.module';
export * from './redis-errors';
export * from './redis-channel';
