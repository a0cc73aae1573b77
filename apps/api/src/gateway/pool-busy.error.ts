import { ErrorCode, KeyfleetError } from '@keyfleet/errors';

/**
 * No project in the pool has room for the model within KF_INTERACTIVE_MAX_WAIT_MS. Rendered as
 * Google's own 429 (QuotaFailure + RetryInfo) plus a `Retry-After` header, so SDKs and well-behaved
 * clients back off for exactly as long as the quota engine says.
 */
export class PoolBusyError extends KeyfleetError {
  readonly retryAfterSeconds: number;

  constructor(
    readonly model: string,
    waitMs: number,
  ) {
    const seconds = Math.max(1, Math.ceil(waitMs / 1000));
    super(
      ErrorCode.ResourceExhausted,
      `keyfleet: no project in the pool has room for ${model} now; please retry in ${seconds}s.`,
      [
        {
          '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
          violations: [
            {
              quotaMetric: 'keyfleet/pool_generate_requests',
              // Neither PerMinute nor PerDay: the wait can come from any dimension, RetryInfo says how long.
              quotaId: 'KeyfleetPoolCapacityPerModel',
              quotaDimensions: { model },
            },
          ],
        },
        { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${seconds}s` },
      ],
    );
    this.name = 'PoolBusyError';
    this.retryAfterSeconds = seconds;
  }
}
