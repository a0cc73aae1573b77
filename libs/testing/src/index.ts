export * from './test-database';
export * from './test-config';
export * from './simulator';
export * from './app-process';
export * from './scratch-stores';
export * from './tcp-proxy';
export * from './manual-clock';
