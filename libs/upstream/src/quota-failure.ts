import { detailsOfType, type GoogleErrorBody } from './google-error-body';

export type QuotaScope = 'minute' | 'day';
export type QuotaDimension = 'requests' | 'tokens';

/** One violated quota of a 429, classified by its quotaId (never by the length of retryDelay). */
export interface QuotaViolation {
  quotaId: string | null;
  quotaMetric: string | null;
  scope: QuotaScope | null;
  dimension: QuotaDimension | null;
  /** The limit, when Google sent it (an int64 as a string). */
  quotaValue: number | null;
  model: string | null;
}

export function quotaViolations(body: GoogleErrorBody): QuotaViolation[] {
  return detailsOfType(body, 'QuotaFailure').flatMap((failure) => {
    const violations = Array.isArray(failure['violations']) ? (failure['violations'] as unknown[]) : [];
    return violations.filter(isRecord).map(toViolation);
  });
}

function toViolation(raw: Record<string, unknown>): QuotaViolation {
  const quotaId = stringOrNull(raw['quotaId']);
  const quotaMetric = stringOrNull(raw['quotaMetric']);
  const dimensions = isRecord(raw['quotaDimensions']) ? raw['quotaDimensions'] : {};
  const value = Number(raw['quotaValue']);
  return {
    quotaId,
    quotaMetric,
    scope: scopeOf(quotaId),
    dimension: dimensionOf(quotaId) ?? dimensionOf(quotaMetric),
    quotaValue: raw['quotaValue'] !== undefined && Number.isFinite(value) ? value : null,
    model: stringOrNull(dimensions['model']),
  };
}

/** `…PerMinute…` / `…PerDay…` in the quotaId. */
export function scopeOf(quotaId: string | null): QuotaScope | null {
  if (!quotaId) return null;
  if (/PerDay/i.test(quotaId)) return 'day';
  if (/PerMinute/i.test(quotaId)) return 'minute';
  return null;
}

/** `…InputTokens…` / `…Requests…` in the quotaId, or `input_token_count` / `requests` in the metric. */
export function dimensionOf(name: string | null): QuotaDimension | null {
  if (!name) return null;
  if (/token/i.test(name)) return 'tokens';
  if (/request/i.test(name)) return 'requests';
  return null;
}

/** RetryInfo.retryDelay in ms: a protobuf duration ("26s", "45.837906927s") or `{seconds, nanos}`. */
export function retryDelayMs(body: GoogleErrorBody): number | undefined {
  for (const info of detailsOfType(body, 'RetryInfo')) {
    const delay = info['retryDelay'];
    if (typeof delay === 'string') {
      const match = /^(\d+(?:\.\d+)?)s$/.exec(delay.trim());
      if (match) return Math.ceil(Number(match[1]) * 1000);
    }
    if (isRecord(delay)) {
      const seconds = Number(delay['seconds'] ?? 0);
      const nanos = Number(delay['nanos'] ?? 0);
      if (Number.isFinite(seconds) && Number.isFinite(nanos)) return Math.ceil(seconds * 1000 + nanos / 1e6);
    }
  }
  return undefined;
}

/** Newer messages say `Quota exceeded for metric: …, limit: 0, model: …`: no quota for the model at all. */
export function saysLimitZero(message: string): boolean {
  return /\blimit:\s*0(?![\d.])/.test(message);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 ? value : null;
}
