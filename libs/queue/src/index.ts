export * from './redis.module';
export * from './queue-names';
export * from './job-defaults';
export * from './bull-options';
export * from './dispatch-queues';
export * from './queue.module';
export * from './redis-errors';
