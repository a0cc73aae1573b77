export * from './error-code';
export * from './keyfleet-error';
export * from './http-exception.filter';
export * from './dependency-unavailable';
