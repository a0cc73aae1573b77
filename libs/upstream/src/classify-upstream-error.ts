import { detailsOfType, parseGoogleErrorBody, type GoogleErrorBody } from './google-error-body';
import { quotaViolations, retryDelayMs, saysLimitZero, type QuotaViolation } from './quota-failure';
import { UpstreamError, type ClassifiedUpstreamError } from './upstream-error';

// ACCESS_TOKEN_TYPE_UNSUPPORTED: a standard (`AIza…`) key, which Google refuses since 2026.
const INVALID_KEY_REASONS = new Set(['API_KEY_INVALID', 'API_KEY_EXPIRED', 'ACCESS_TOKEN_TYPE_UNSUPPORTED']);
const BLOCKED_KEY_REASONS = new Set([
  'API_KEY_IP_ADDRESS_BLOCKED',
  'API_KEY_SERVICE_BLOCKED',
  'API_KEY_HTTP_REFERRER_BLOCKED',
  'API_KEY_ANDROID_APP_BLOCKED',
  'API_KEY_IOS_APP_BLOCKED',
  'CONSUMER_SUSPENDED',
  'SERVICE_DISABLED',
]);
const LEAKED_KEY_MESSAGE = /reported as leaked/i;
// Connection failures where the request certainly never reached Google (nothing was counted).
const NEVER_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

const RPC_STATUS_OF_HTTP: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  408: 'DEADLINE_EXCEEDED',
  409: 'ABORTED',
  429: 'RESOURCE_EXHAUSTED',
  499: 'CANCELLED',
  500: 'INTERNAL',
  501: 'UNIMPLEMENTED',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

/**
 * Classifies anything a Gemini call can throw: an UpstreamError (already classified), the SDK's
 * ApiError (`.status` + the JSON body as its message), a timeout, or a network failure.
 */
export function classifyUpstreamError(error: unknown): ClassifiedUpstreamError {
  if (error instanceof UpstreamError) return error.classified;
  const status = (error as { status?: unknown } | null)?.status;
  if (typeof status === 'number' && status >= 400 && status < 600) {
    return classifyGoogleError(status, error instanceof Error ? error.message : null);
  }
  return classifyFailureWithoutResponse(error);
}

/** Classifies an HTTP error answer of Google from its status and body (object, array or JSON string). */
export function classifyGoogleError(httpStatus: number, rawBody: unknown): ClassifiedUpstreamError {
  const body = parseGoogleErrorBody(rawBody);
  // The SDK puts the HTTP status text ("Bad Gateway") there when the body was not JSON.
  const named = body?.status && /^[A-Z_]+$/.test(body.status) ? body.status : undefined;
  const rpcStatus = named ?? RPC_STATUS_OF_HTTP[httpStatus] ?? (httpStatus >= 500 ? 'INTERNAL' : 'UNKNOWN');
  const message = body?.message ?? (typeof rawBody === 'string' ? rawBody.slice(0, 500) : '');
  const base = { status: httpStatus, rpcStatus, message };
  if (httpStatus === 429 || rpcStatus === 'RESOURCE_EXHAUSTED')
    return { ...base, kind: 'quota', ...quotaFacts(body) };
  const reason = body
    ? errorInfoReasons(body).find((r) => INVALID_KEY_REASONS.has(r) || BLOCKED_KEY_REASONS.has(r))
    : undefined;
  if (reason && INVALID_KEY_REASONS.has(reason)) return { ...base, kind: 'invalid_key', reason };
  if (reason) return { ...base, kind: 'key_blocked', reason };
  if (LEAKED_KEY_MESSAGE.test(message)) return { ...base, kind: 'key_blocked', reason: 'API_KEY_LEAKED' };
  // Without an ErrorInfo: "API key not valid" (400) and any 401 mean the credential itself failed.
  if (httpStatus === 401 || (httpStatus === 400 && /api key not valid/i.test(message))) {
    return { ...base, kind: 'invalid_key', reason: 'API_KEY_INVALID' };
  }
  if (httpStatus >= 500 || httpStatus === 408) return { ...base, kind: 'transient' };
  return { ...base, kind: 'client_error' };
}

function quotaFacts(body: GoogleErrorBody | null): Partial<ClassifiedUpstreamError> {
  if (!body) return {};
  const violations = quotaViolations(body);
  const widest = widestViolation(violations);
  const facts: Partial<ClassifiedUpstreamError> = { violations, limitZero: saysLimitZero(body.message) };
  if (widest?.scope) facts.quotaScope = widest.scope;
  const dimension = widest?.dimension ?? violations.find((v) => v.dimension)?.dimension;
  if (dimension) facts.dimension = dimension;
  const delay = retryDelayMs(body);
  if (delay !== undefined) facts.retryDelayMs = delay;
  // Only a Help link: Google names no quota and no wait (seen with the spend limits of 2026).
  if (violations.length === 0 && delay === undefined && detailsOfType(body, 'Help').length > 0)
    facts.helpOnly = true;
  if (violations.some((v) => v.quotaValue === 0)) facts.limitZero = true;
  return facts;
}

/** A per-day violation blocks longer than a per-minute one, so it decides when there are several. */
function widestViolation(violations: QuotaViolation[]): QuotaViolation | undefined {
  return (
    violations.find((v) => v.scope === 'day') ?? violations.find((v) => v.scope === 'minute') ?? violations[0]
  );
}

function errorInfoReasons(body: GoogleErrorBody): string[] {
  return detailsOfType(body, 'ErrorInfo')
    .map((info) => info['reason'])
    .filter((reason): reason is string => typeof reason === 'string');
}

function classifyFailureWithoutResponse(error: unknown): ClassifiedUpstreamError {
  const name = (error as { name?: unknown } | null)?.name;
  const text = error instanceof Error ? error.message : String(error);
  if (name === 'AbortError' || name === 'TimeoutError' || /aborted|timed? ?out/i.test(text)) {
    return {
      kind: 'transient',
      status: 504,
      rpcStatus: 'DEADLINE_EXCEEDED',
      message: 'upstream request timed out',
    };
  }
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  return {
    kind: 'transient',
    status: 503,
    rpcStatus: 'UNAVAILABLE',
    message: `upstream unreachable: ${code ?? text}`,
    neverSent: code !== undefined && NEVER_CONNECTED.has(code),
  };
}
