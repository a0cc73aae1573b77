import { usd, type BudgetRefusal } from '@keyfleet/admission';
import { ErrorCode, KeyfleetError } from '@keyfleet/errors';

/**
 * A call that would pass its client's budget. Google's 429 shape (QuotaFailure with quotaId
 * KeyfleetClientBudget, RetryInfo until the period resets) plus `Retry-After`, as for keyfleet's other
 * 429s; the message names the quota too, for OpenAI-shaped answers, which carry no details.
 */
export class ClientBudgetError extends KeyfleetError {
  readonly retryAfterSeconds: number;

  constructor(refusal: BudgetRefusal, nowMs = Date.now()) {
    const { limit, countedMicros, estimateMicros } = refusal;
    const seconds = Math.max(1, Math.ceil((limit.span.endMs - nowMs) / 1000));
    const period = limit.span.period === 'day' ? 'daily' : 'monthly';
    const scope = limit.model ?? 'all models';
    const resets = new Date(limit.span.endMs).toISOString();
    super(
      ErrorCode.ResourceExhausted,
      `keyfleet: this call would pass the client's ${period} budget for ${scope} ` +
        `(KeyfleetClientBudget: ${usd(limit.limitMicros)}; ${usd(countedMicros)} spent or in flight, ` +
        `this call estimated at ${usd(estimateMicros)}). It resets at ${resets} (UTC ${limit.span.period}); ` +
        `please retry in ${seconds}s or ask for a higher budget.`,
      [
        {
          '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
          violations: [
            {
              quotaMetric: 'keyfleet/client_spend_usd',
              quotaId: 'KeyfleetClientBudget',
              quotaDimensions: { period: limit.span.period, ...(limit.model ? { model: limit.model } : {}) },
              quotaValue: String(limit.limitMicros / 1e6),
            },
          ],
        },
        { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${seconds}s` },
      ],
    );
    this.name = 'ClientBudgetError';
    this.retryAfterSeconds = seconds;
  }
}
