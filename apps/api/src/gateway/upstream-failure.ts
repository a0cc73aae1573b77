import { parseGoogleErrorBody, type ClassifiedUpstreamError } from '@keyfleet/upstream';

/** Google's own error body for a failure: the upstream's, when it sent a readable one, else built from it. */
export function googleErrorBody(failure: ClassifiedUpstreamError, upstreamBody: string | null): unknown {
  if (upstreamBody !== null) {
    try {
      const parsed: unknown = JSON.parse(upstreamBody);
      // The OpenAI-compatible endpoint wraps its errors in an array; the native shape is the object.
      if (parseGoogleErrorBody(parsed)) return Array.isArray(parsed) ? (parsed as unknown[])[0] : parsed;
    } catch {
      // not JSON: built below
    }
  }
  return { error: { code: failure.status, message: failure.message, status: failure.rpcStatus } };
}

/** OpenAI's error body (`{ error: { message, type, param, code } }`), the shape the openai SDK reads. */
export function openAiErrorBody(status: number, message: string, rpcStatus: string): unknown {
  return { error: { message, type: openAiType(status), param: null, code: openAiCode(status, rpcStatus) } };
}

function openAiType(status: number): string {
  if (status === 429) return 'rate_limit_error';
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

function openAiCode(status: number, rpcStatus: string): string {
  if (status === 429) return 'rate_limit_exceeded';
  if (status === 401) return 'invalid_api_key';
  if (status === 404) return 'model_not_found';
  return rpcStatus.toLowerCase();
}
