export * from './admission-timing';
export * from './interactive-reserve';
export * from './upstream-picker';
