// Google's error bodies for the API Keys API (a standard google.rpc.Status in JSON).
import type { GoogleErrorBody } from '../errors/google-error-bodies';

const STATUS_OF: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  404: 'NOT_FOUND',
  409: 'ALREADY_EXISTS',
  503: 'UNAVAILABLE',
};

export function apiKeysErrorBody(code: number, message: string): GoogleErrorBody {
  return { error: { code, message, status: STATUS_OF[code] ?? 'UNKNOWN' } };
}

export function unauthenticatedBody(): GoogleErrorBody {
  return apiKeysErrorBody(
    401,
    'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
  );
}
