export * from './fair-share';
export * from './dispatch-signals';
export * from './fair-share.module';
