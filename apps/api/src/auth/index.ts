export * from './auth.module';
export * from './admin-auth.guard';
export * from './client-auth.guard';
export * from './client-key-cache';
export * from './current-client.decorator';
export * from './client-address';
export * from './keyfleet-request';
export * from './bearer-token';
