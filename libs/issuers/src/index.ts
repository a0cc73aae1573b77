export * from './key-issuer';
export * from './issuer-error';
export * from './restrictions';
export * from './api-keys-client';
export * from './api-keys-rest';
export * from './google-api-keys-issuer';
export * from './key-issuers';
export * from './issuers.module';
