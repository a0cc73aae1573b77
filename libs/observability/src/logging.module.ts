import type { IncomingMessage } from 'node:http';
import type { DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { KeyfleetConfig } from '@keyfleet/config';

// Header and query names that can carry a key: never logged.
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-goog-api-key"]',
  'req.headers["idempotency-key"]',
  'secret',
  '*.secret',
  'apiKey',
  '*.apiKey',
];

/** Strips `key=` (the Gemini query-string key) from a URL before it is logged. */
export function redactUrl(url: string | undefined): string | undefined {
  return url?.replace(/([?&]key=)[^&]*/gi, '$1[Redacted]');
}

/** Structured JSON logs (pino) with secrets redacted; one `service` field says which process wrote it. */
export function loggingModule(config: KeyfleetConfig, service: string): DynamicModule {
  return LoggerModule.forRoot({
    pinoHttp: {
      level: config.logLevel,
      base: { service },
      redact: { paths: REDACTED_PATHS, censor: '[Redacted]' },
      autoLogging: { ignore: (req: IncomingMessage) => /^\/(healthz|readyz|metrics)/.test(req.url ?? '') },
      serializers: {
        req: (req: { id: unknown; method: string; url: string }) => ({
          id: req.id,
          method: req.method,
          url: redactUrl(req.url),
        }),
      },
    },
  });
}
