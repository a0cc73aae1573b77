export * from './validation';
export * from './batch-view';
export * from './page-token';
export * from './batches.service';
export * from './batch-items.store';
export * from './open-items.queries';
export * from './batches-core.module';
