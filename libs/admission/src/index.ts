export * from './admission-timing';
export * from './admission.module';
export * from './dispatch-policy';
export * from './interactive-reserve';
export * from './upstream-picker';
export * from './budget';
export * from './output-estimator';
