export * from './sim-types';
export * from './spawn-simulator';
