export * from './upstream-error';
export * from './google-error-body';
export * from './quota-failure';
export * from './classify-upstream-error';
export * from './to-sdk-parameters';
export * from './gemini-client';
export * from './upstream.module';
export * from './send-deadline';
