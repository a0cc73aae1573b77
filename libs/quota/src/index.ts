export * from './quota-types';
export * from './quota-engine';
export * from './pacific-day';
export * from './token-estimator';
export { modelBase, projectKeys, rotationKey } from './quota-keys';
export * from './quota-engine.provider';
export * from './capacity-eta';
export * from './request-fit';
