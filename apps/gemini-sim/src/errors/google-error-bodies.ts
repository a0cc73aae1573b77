// Google's error bodies, byte for byte as /work/shared/GEMINI-FACTS.md gives them. Keys never appear in them.
import type { QuotaIdentity } from '../quota/quota-ids';

export const GEMINI_SERVICE = 'generativelanguage.googleapis.com';

export interface GoogleErrorBody {
  error: { code: number; message: string; status: string; details?: unknown[] };
}

export interface QuotaViolation extends QuotaIdentity {
  model: string;
  /** The limit; Google sends it as an int64 string. */
  limit: number;
}

function errorBody(code: number, status: string, message: string, details?: unknown[]): GoogleErrorBody {
  return { error: details ? { code, message, status, details } : { code, message, status } };
}

function errorInfo(reason: string, metadata: Record<string, string>): Record<string, unknown> {
  return {
    '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
    reason,
    domain: 'googleapis.com',
    metadata: { service: GEMINI_SERVICE, ...metadata },
  };
}

export function apiKeyInvalidBody(): GoogleErrorBody {
  return errorBody(400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.', [
    errorInfo('API_KEY_INVALID', {}),
  ]);
}

const UNAUTHENTICATED_MESSAGE =
  'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.';

/** A standard (`AIza…`) key Google no longer takes (GEMINI-FACTS.md, "What changed in 2026"). */
export function accessTokenTypeUnsupportedBody(method: string): GoogleErrorBody {
  return errorBody(401, 'UNAUTHENTICATED', UNAUTHENTICATED_MESSAGE, [
    errorInfo('ACCESS_TOKEN_TYPE_UNSUPPORTED', { method: `google.ai.generativelanguage.v1beta.${method}` }),
  ]);
}

/** A new auth key that has not propagated yet: a bare 401. */
export function unauthenticatedKeyBody(): GoogleErrorBody {
  return errorBody(401, 'UNAUTHENTICATED', UNAUTHENTICATED_MESSAGE);
}

export function ipAddressBlockedBody(ip: string, projectId: string): GoogleErrorBody {
  const message = `The provided API key has an IP address restriction. The originating IP address of the call (${ip}) violates this restriction.`;
  return errorBody(403, 'PERMISSION_DENIED', message, [
    errorInfo('API_KEY_IP_ADDRESS_BLOCKED', { consumer: `projects/${projectId}` }),
  ]);
}

export function leakedKeyBody(): GoogleErrorBody {
  return errorBody(
    403,
    'PERMISSION_DENIED',
    'Your API key was reported as leaked. Please use another API key.',
  );
}

export function consumerSuspendedBody(projectId: string): GoogleErrorBody {
  return errorBody(
    403,
    'PERMISSION_DENIED',
    `Permission denied: Consumer 'projects/${projectId}' has been suspended.`,
    [errorInfo('CONSUMER_SUSPENDED', { consumer: `projects/${projectId}` })],
  );
}

export function serviceBlockedBody(projectId: string, method: string): GoogleErrorBody {
  const methodName = `google.ai.generativelanguage.v1beta.${method}`;
  const message = `Requests to this API ${GEMINI_SERVICE} method ${methodName} are blocked.`;
  return errorBody(403, 'PERMISSION_DENIED', message, [
    errorInfo('API_KEY_SERVICE_BLOCKED', { consumer: `projects/${projectId}`, methodName }),
  ]);
}

/** A 400/403 for a scripted fault: ErrorInfo only when a reason is given. */
export function scriptedClientErrorBody(
  status: 400 | 403,
  reason?: string,
  message?: string,
): GoogleErrorBody {
  const grpcStatus = status === 400 ? 'INVALID_ARGUMENT' : 'PERMISSION_DENIED';
  const text =
    message ??
    (status === 400 ? 'Request contains an invalid argument.' : 'The caller does not have permission');
  return errorBody(status, grpcStatus, text, reason ? [errorInfo(reason, {})] : undefined);
}

export function invalidArgumentBody(message: string): GoogleErrorBody {
  return errorBody(400, 'INVALID_ARGUMENT', message);
}

/** An auth key (`AQ.`) sent in two places at once, say `x-goog-api-key` and a bearer token. */
export function multipleCredentialsBody(): GoogleErrorBody {
  return invalidArgumentBody('Multiple authentication credentials received. Please pass only one.');
}

export function modelNotFoundBody(model: string, apiVersion: string, method: string): GoogleErrorBody {
  const message = `models/${model} is not found for API version ${apiVersion}, or is not supported for ${method}. Call ListModels to see the list of available models and their supported methods.`;
  return errorBody(404, 'NOT_FOUND', message);
}

export function pathNotFoundBody(path: string): GoogleErrorBody {
  return errorBody(404, 'NOT_FOUND', `The requested URL ${path} was not found on this server.`);
}

export function overloadedBody(): GoogleErrorBody {
  return errorBody(503, 'UNAVAILABLE', 'The model is overloaded. Please try again later.');
}

export function internalErrorBody(): GoogleErrorBody {
  return errorBody(
    500,
    'INTERNAL',
    'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting',
  );
}

export function bareResourceExhaustedBody(): GoogleErrorBody {
  return errorBody(429, 'RESOURCE_EXHAUSTED', 'Resource has been exhausted (e.g. check quota).');
}

/** Protobuf duration text: "26s", "26.5s", "26.123456s". */
export function formatRetryDelay(ms: number): string {
  const seconds = (Math.max(0, ms) / 1000).toFixed(6).replace(/\.?0+$/, '');
  return `${seconds}s`;
}

const QUOTA_MESSAGE_HEAD =
  'You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits. To monitor your current usage, head to: https://ai.dev/usage?tab=rate-limit. ';

export function quotaExceededBody(violations: QuotaViolation[], retryDelay: string): GoogleErrorBody {
  const lines = violations.map(
    (v) => `\n* Quota exceeded for metric: ${v.quotaMetric}, limit: ${v.limit}, model: ${v.model}`,
  );
  const message = `${QUOTA_MESSAGE_HEAD}${lines.join('')}\nPlease retry in ${retryDelay}.`;
  return errorBody(429, 'RESOURCE_EXHAUSTED', message, [
    {
      '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
      violations: violations.map((v) => ({
        quotaMetric: v.quotaMetric,
        quotaId: v.quotaId,
        quotaDimensions: { location: 'global', model: v.model },
        quotaValue: String(v.limit),
      })),
    },
    {
      '@type': 'type.googleapis.com/google.rpc.Help',
      links: [
        {
          description: 'Learn more about Gemini API quotas',
          url: 'https://ai.google.dev/gemini-api/docs/rate-limits',
        },
      ],
    },
    { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay },
  ]);
}

/**
 * A 429 with only a Help link: no QuotaFailure, no RetryInfo (GEMINI-FACTS "What changed in 2026"). The
 * simulator answers it when a spend limit is exceeded: Google documents no quotaId for spend, so none is made up.
 */
export function helpOnlyResourceExhaustedBody(): GoogleErrorBody {
  const message =
    'You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.';
  return errorBody(429, 'RESOURCE_EXHAUSTED', message, [
    {
      '@type': 'type.googleapis.com/google.rpc.Help',
      links: [
        {
          description: 'Learn more about Gemini API quotas',
          url: 'https://ai.google.dev/gemini-api/docs/rate-limits',
        },
      ],
    },
  ]);
}

/** A resource (batch, file) that does not exist or belongs to another project. */
export function entityNotFoundBody(): GoogleErrorBody {
  return errorBody(404, 'NOT_FOUND', 'Requested entity was not found.');
}

export function failedPreconditionBody(message: string): GoogleErrorBody {
  return errorBody(400, 'FAILED_PRECONDITION', message);
}

/** A body over a route's size limit (batchGenerateContent: 20 MB). */
export function payloadTooLargeBody(limitBytes: number): GoogleErrorBody {
  return invalidArgumentBody(`Request payload size exceeds the limit: ${limitBytes} bytes.`);
}
