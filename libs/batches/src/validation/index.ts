export * from './parsed-batch';
export * from './validate-fields';
export * from './parse-batch';
export * from './json-text-check';
export * from './ndjson-lines';
export * from './batch-body';
export * from './lane-fields';
