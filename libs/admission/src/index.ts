export * from './admission-timing';
export * from './upstream-picker';
