export * from './sim-types';
export * from './spawn-simulator';
export * from './api-keys-sim';
