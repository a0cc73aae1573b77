import { classifyGoogleError, classifyUpstreamError } from './classify-upstream-error';
import { UpstreamError } from './upstream-error';

/** The SDK's ApiError: `.status` and the JSON body as the message. */
class FakeApiError extends Error {
  constructor(
    readonly status: number,
    body: unknown,
  ) {
    super(JSON.stringify(body));
    this.name = 'ApiError';
  }
}

const QUOTA_FAILURE = 'type.googleapis.com/google.rpc.QuotaFailure';
const RETRY_INFO = 'type.googleapis.com/google.rpc.RetryInfo';
const HELP = 'type.googleapis.com/google.rpc.Help';
const ERROR_INFO = 'type.googleapis.com/google.rpc.ErrorInfo';

function quota429(
  details: unknown[],
  message = 'You exceeded your current quota, please check your plan and billing details.',
) {
  return { error: { code: 429, message, status: 'RESOURCE_EXHAUSTED', details } };
}

const violation = (quotaId: string, extra: Record<string, unknown> = {}) => ({
  quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_requests',
  quotaId,
  quotaDimensions: { location: 'global', model: 'gemini-2.5-flash' },
  quotaValue: '10',
  ...extra,
});

describe('classifyUpstreamError: 429 RESOURCE_EXHAUSTED', () => {
  it('reads the documented body: per-minute input tokens, retryDelay 26s, details in the documented order', () => {
    const body = quota429([
      {
        '@type': QUOTA_FAILURE,
        violations: [
          {
            quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_input_token_count',
            quotaId: 'GenerateContentInputTokensPerModelPerMinute-FreeTier',
            quotaDimensions: { location: 'global', model: 'gemini-2.5-flash' },
            quotaValue: '250000',
          },
        ],
      },
      {
        '@type': HELP,
        links: [{ description: 'Learn more', url: 'https://ai.google.dev/gemini-api/docs/rate-limits' }],
      },
      { '@type': RETRY_INFO, retryDelay: '26s' },
    ]);
    const result = classifyUpstreamError(new FakeApiError(429, body));
    expect(result).toMatchObject({
      kind: 'quota',
      status: 429,
      rpcStatus: 'RESOURCE_EXHAUSTED',
      quotaScope: 'minute',
      dimension: 'tokens',
      retryDelayMs: 26_000,
      limitZero: false,
    });
    expect(result.violations).toEqual([
      expect.objectContaining({
        scope: 'minute',
        dimension: 'tokens',
        quotaValue: 250000,
        model: 'gemini-2.5-flash',
      }),
    ]);
  });

  it('finds QuotaFailure and RetryInfo in any order', () => {
    const body = quota429([
      { '@type': RETRY_INFO, retryDelay: '7s' },
      { '@type': HELP, links: [] },
      { '@type': QUOTA_FAILURE, violations: [violation('GenerateRequestsPerMinutePerProjectPerModel')] },
    ]);
    expect(classifyUpstreamError(new FakeApiError(429, body))).toMatchObject({
      quotaScope: 'minute',
      dimension: 'requests',
      retryDelayMs: 7000,
    });
  });

  it.each([
    ['GenerateRequestsPerMinutePerProjectPerModel', 'minute', 'requests'],
    ['GenerateRequestsPerMinutePerProjectPerModel-FreeTier', 'minute', 'requests'],
    ['GenerateRequestsPerDayPerProjectPerModel', 'day', 'requests'],
    ['GenerateRequestsPerDayPerProjectPerModel-FreeTier', 'day', 'requests'],
    ['GenerateContentInputTokensPerModelPerMinute-FreeTier', 'minute', 'tokens'],
    ['GenerateContentPaidTierInputTokensPerModelPerMinute', 'minute', 'tokens'],
    ['GenerateContentInputTokensPerModelPerDay-FreeTier', 'day', 'tokens'],
  ])('classifies quotaId %s as per-%s %s', (quotaId, scope, dimension) => {
    const body = quota429([
      { '@type': QUOTA_FAILURE, violations: [violation(quotaId, { quotaMetric: 'x' })] },
    ]);
    expect(classifyUpstreamError(new FakeApiError(429, body))).toMatchObject({
      quotaScope: scope,
      dimension,
    });
  });

  it('never decides the scope by the length of retryDelay: a per-day violation with a 3 s delay is per-day', () => {
    const body = quota429([
      {
        '@type': QUOTA_FAILURE,
        violations: [violation('GenerateRequestsPerDayPerProjectPerModel-FreeTier')],
      },
      { '@type': RETRY_INFO, retryDelay: '3s' },
    ]);
    expect(classifyUpstreamError(new FakeApiError(429, body))).toMatchObject({
      quotaScope: 'day',
      retryDelayMs: 3000,
    });
  });

  it('with several violations, the per-day one decides, and every violation is kept', () => {
    const body = quota429([
      {
        '@type': QUOTA_FAILURE,
        violations: [
          violation('GenerateContentInputTokensPerModelPerMinute-FreeTier'),
          violation('GenerateRequestsPerDayPerProjectPerModel-FreeTier'),
        ],
      },
    ]);
    const result = classifyUpstreamError(new FakeApiError(429, body));
    expect(result).toMatchObject({ quotaScope: 'day', dimension: 'requests' });
    expect(result.violations?.map((v) => v.scope)).toEqual(['minute', 'day']);
  });

  it('accepts a violation without quotaValue', () => {
    const { quotaValue: _omitted, ...withoutValue } = violation(
      'GenerateRequestsPerMinutePerProjectPerModel',
    );
    const body = quota429([{ '@type': QUOTA_FAILURE, violations: [withoutValue] }]);
    const result = classifyUpstreamError(new FakeApiError(429, body));
    expect(result.quotaScope).toBe('minute');
    expect(result.violations?.[0]?.quotaValue).toBeNull();
  });

  it('reads a fractional retryDelay, rounding up to the millisecond', () => {
    const body = quota429([{ '@type': RETRY_INFO, retryDelay: '45.837906927s' }]);
    expect(classifyUpstreamError(new FakeApiError(429, body)).retryDelayMs).toBe(45_838);
  });

  it('sees `limit: 0` in the newer message (no quota for the model in this project)', () => {
    const body = quota429(
      [
        {
          '@type': QUOTA_FAILURE,
          violations: [violation('GenerateRequestsPerDayPerProjectPerModel-FreeTier')],
        },
      ],
      'You exceeded your current quota. * Quota exceeded for metric: generativelanguage.googleapis.com/generate_content_free_tier_requests, limit: 0, model: gemini-2.5-pro',
    );
    expect(classifyUpstreamError(new FakeApiError(429, body))).toMatchObject({
      kind: 'quota',
      limitZero: true,
      quotaScope: 'day',
    });
  });

  it('does not mistake `limit: 10` or `limit: 0.5` for limit 0', () => {
    for (const limit of ['10', '0.5', '250000']) {
      const body = quota429([], `Quota exceeded for metric: m, limit: ${limit}, model: gemini-2.5-pro`);
      expect(classifyUpstreamError(new FakeApiError(429, body)).limitZero).toBe(false);
    }
  });

  it('classifies the bare 429 without details as quota of unknown scope', () => {
    const body = {
      error: {
        code: 429,
        message: 'Resource has been exhausted (e.g. check quota).',
        status: 'RESOURCE_EXHAUSTED',
      },
    };
    const result = classifyUpstreamError(new FakeApiError(429, body));
    expect(result).toMatchObject({
      kind: 'quota',
      status: 429,
      message: 'Resource has been exhausted (e.g. check quota).',
    });
    expect(result.quotaScope).toBeUndefined();
    expect(result.retryDelayMs).toBeUndefined();
    expect(result.violations).toEqual([]);
  });

  it('marks a 429 with only a Help link (no QuotaFailure, no RetryInfo) as helpOnly', () => {
    const links = [
      {
        description: 'Learn more about Gemini API quotas',
        url: 'https://ai.google.dev/gemini-api/docs/rate-limits',
      },
    ];
    const helpOnly = classifyUpstreamError(new FakeApiError(429, quota429([{ '@type': HELP, links }])));
    expect(helpOnly).toMatchObject({ kind: 'quota', status: 429, helpOnly: true, violations: [] });
    expect(helpOnly.retryDelayMs).toBeUndefined();
    const withRetry = quota429([
      { '@type': HELP, links },
      { '@type': RETRY_INFO, retryDelay: '12s' },
    ]);
    expect(classifyUpstreamError(new FakeApiError(429, withRetry)).helpOnly).toBeUndefined();
    const withViolation = quota429([
      { '@type': HELP, links },
      { '@type': QUOTA_FAILURE, violations: [violation('GenerateRequestsPerMinutePerProjectPerModel')] },
    ]);
    expect(classifyUpstreamError(new FakeApiError(429, withViolation)).helpOnly).toBeUndefined();
  });

  it('unwraps the OpenAI-compatible array-wrapped error', () => {
    const body = [
      quota429([
        { '@type': QUOTA_FAILURE, violations: [violation('GenerateRequestsPerMinutePerProjectPerModel')] },
        { '@type': RETRY_INFO, retryDelay: '12s' },
      ]),
    ];
    expect(classifyGoogleError(429, body)).toMatchObject({
      kind: 'quota',
      quotaScope: 'minute',
      retryDelayMs: 12_000,
    });
    expect(classifyGoogleError(429, JSON.stringify(body))).toMatchObject({ quotaScope: 'minute' });
  });

  it('reads a 429 whose body is not JSON as quota', () => {
    expect(classifyGoogleError(429, 'Too Many Requests')).toMatchObject({
      kind: 'quota',
      rpcStatus: 'RESOURCE_EXHAUSTED',
    });
  });
});

describe('classifyUpstreamError: keys', () => {
  it('400 API_KEY_INVALID → invalid_key', () => {
    const body = {
      error: {
        code: 400,
        message: 'API key not valid. Please pass a valid API key.',
        status: 'INVALID_ARGUMENT',
        details: [
          {
            '@type': ERROR_INFO,
            reason: 'API_KEY_INVALID',
            domain: 'googleapis.com',
            metadata: { service: 'generativelanguage.googleapis.com' },
          },
        ],
      },
    };
    expect(classifyUpstreamError(new FakeApiError(400, body))).toMatchObject({
      kind: 'invalid_key',
      reason: 'API_KEY_INVALID',
      status: 400,
      rpcStatus: 'INVALID_ARGUMENT',
    });
  });

  it('401 ACCESS_TOKEN_TYPE_UNSUPPORTED (a refused standard key) → invalid_key, keeping the reason', () => {
    const body = {
      error: {
        code: 401,
        message:
          'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
        status: 'UNAUTHENTICATED',
        details: [
          {
            '@type': ERROR_INFO,
            reason: 'ACCESS_TOKEN_TYPE_UNSUPPORTED',
            domain: 'googleapis.com',
            metadata: { service: 'generativelanguage.googleapis.com' },
          },
        ],
      },
    };
    expect(classifyUpstreamError(new FakeApiError(401, body))).toMatchObject({
      kind: 'invalid_key',
      reason: 'ACCESS_TOKEN_TYPE_UNSUPPORTED',
      status: 401,
      rpcStatus: 'UNAUTHENTICATED',
    });
  });

  it.each([
    'API_KEY_IP_ADDRESS_BLOCKED',
    'API_KEY_SERVICE_BLOCKED',
    'CONSUMER_SUSPENDED',
    'SERVICE_DISABLED',
  ])('403 %s → key_blocked', (reason) => {
    const body = {
      error: {
        code: 403,
        message: 'Permission denied.',
        status: 'PERMISSION_DENIED',
        details: [
          { '@type': 'type.googleapis.com/google.rpc.Help', links: [] },
          { '@type': ERROR_INFO, reason, domain: 'googleapis.com' },
        ],
      },
    };
    expect(classifyUpstreamError(new FakeApiError(403, body))).toMatchObject({ kind: 'key_blocked', reason });
  });

  it('403 leaked key (message only, no details) → key_blocked', () => {
    const body = {
      error: {
        code: 403,
        message: 'Your API key was reported as leaked. Please use another API key.',
        status: 'PERMISSION_DENIED',
      },
    };
    expect(classifyUpstreamError(new FakeApiError(403, body))).toMatchObject({
      kind: 'key_blocked',
      reason: 'API_KEY_LEAKED',
    });
  });

  it('a 403 for another reason is the request’s problem, not the key’s', () => {
    const body = {
      error: { code: 403, message: 'You do not have access to this model.', status: 'PERMISSION_DENIED' },
    };
    expect(classifyUpstreamError(new FakeApiError(403, body)).kind).toBe('client_error');
  });
});

describe('classifyUpstreamError: transient and client errors', () => {
  it.each([
    [500, 'INTERNAL', 'An internal error has occurred.'],
    [503, 'UNAVAILABLE', 'The model is overloaded. Please try again later.'],
    [504, 'DEADLINE_EXCEEDED', 'Deadline exceeded'],
  ])('%s %s → transient', (status, rpcStatus, message) => {
    const result = classifyUpstreamError(
      new FakeApiError(status, { error: { code: status, message, status: rpcStatus } }),
    );
    expect(result).toMatchObject({ kind: 'transient', status, rpcStatus, message });
  });

  it('a 5xx with an HTML body is transient', () => {
    expect(classifyGoogleError(502, '<html>Bad Gateway</html>')).toMatchObject({
      kind: 'transient',
      rpcStatus: 'INTERNAL',
    });
  });

  it('a timeout is transient (504 DEADLINE_EXCEEDED)', () => {
    const timeout = new Error('This operation was aborted');
    timeout.name = 'AbortError';
    expect(classifyUpstreamError(timeout)).toMatchObject({
      kind: 'transient',
      status: 504,
      rpcStatus: 'DEADLINE_EXCEEDED',
    });
  });

  it('a network failure is transient (503 UNAVAILABLE), names the cause and says whether it was never sent', () => {
    const failure = (code: string) =>
      new TypeError('fetch failed', { cause: Object.assign(new Error('connect'), { code }) });
    expect(classifyUpstreamError(failure('ECONNREFUSED'))).toMatchObject({
      kind: 'transient',
      status: 503,
      message: 'upstream unreachable: ECONNREFUSED',
      neverSent: true,
    });
    // A reset may come after Google read the request: it may have been counted.
    expect(classifyUpstreamError(failure('ECONNRESET'))).toMatchObject({
      kind: 'transient',
      message: 'upstream unreachable: ECONNRESET',
      neverSent: false,
    });
  });

  it('400 INVALID_ARGUMENT about the request → client_error, keeping Google’s message', () => {
    const body = {
      error: {
        code: 400,
        message: '* GenerateContentRequest.contents: contents is not specified',
        status: 'INVALID_ARGUMENT',
      },
    };
    const result = classifyUpstreamError(new FakeApiError(400, body));
    expect(result).toEqual({
      kind: 'client_error',
      status: 400,
      rpcStatus: 'INVALID_ARGUMENT',
      message: '* GenerateContentRequest.contents: contents is not specified',
    });
  });

  it('404 → client_error', () => {
    const body = { error: { code: 404, message: 'models/nope is not found', status: 'NOT_FOUND' } };
    expect(classifyUpstreamError(new FakeApiError(404, body)).kind).toBe('client_error');
  });

  it('an UpstreamError keeps its classification and gives the item error in Google’s shape', () => {
    const classified = classifyGoogleError(400, {
      error: { code: 400, message: 'bad', status: 'INVALID_ARGUMENT' },
    });
    const error = new UpstreamError(classified);
    expect(classifyUpstreamError(error)).toBe(classified);
    expect(error.toItemError()).toEqual({ code: 400, message: 'bad', status: 'INVALID_ARGUMENT' });
  });
});
