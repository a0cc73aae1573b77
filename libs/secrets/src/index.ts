export * from './secret-box';
export * from './fingerprint';
export * from './client-key';
