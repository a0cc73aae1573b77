// The exact 429 bodies Google sends (GEMINI-FACTS): QuotaFailure, Help, RetryInfo; no Retry-After header.
import { promptOf, quotaIdsOf, retryDelayMsOf, startTestSim, T0, type TestSim } from './sim-harness';

const MESSAGE_HEAD =
  'You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits. To monitor your current usage, head to: https://ai.dev/usage?tab=rate-limit. ';
const HELP = {
  '@type': 'type.googleapis.com/google.rpc.Help',
  links: [
    {
      description: 'Learn more about Gemini API quotas',
      url: 'https://ai.google.dev/gemini-api/docs/rate-limits',
    },
  ],
};
const FLASH = 'gemini-2.5-flash';

function violation(quotaMetric: string, quotaId: string, quotaValue: string, model = FLASH) {
  return { quotaMetric, quotaId, quotaDimensions: { location: 'global', model }, quotaValue };
}

describe('429 RESOURCE_EXHAUSTED bodies', () => {
  let sim: TestSim;

  beforeAll(async () => {
    sim = await startTestSim({
      projects: [
        {
          id: 'free-p',
          tier: 'free',
          limits: { [FLASH]: { rpm: 1, tpm: 100, rpd: 10 } },
          keys: ['key-free-0001'],
        },
        {
          id: 'paid-p',
          tier: 'paid',
          limits: { [FLASH]: { rpm: 1, tpm: 100, rpd: 10 } },
          keys: ['key-paid-0002'],
        },
        {
          id: 'day-p',
          limits: { [FLASH]: { rpm: 100, tpm: 100000, rpd: 2, tpd: 50 } },
          keys: ['key-day-0003'],
        },
      ],
    });
  });
  afterAll(() => sim.close());

  it('free tier: both per-minute violations, exact body, fractional retryDelay, no Retry-After', async () => {
    sim.clock.ms = T0;
    expect((await sim.generate('key-free-0001', promptOf(60, 'a'))).status).toBe(200);
    sim.clock.ms = T0 + 10_123.5;
    const refused = await sim.generate('key-free-0001', promptOf(50, 'b'));
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBeNull();
    expect(refused.headers.get('content-type')).toBe('application/json; charset=UTF-8');
    const metric = 'generativelanguage.googleapis.com/generate_content_free_tier_';
    expect(refused.json).toEqual({
      error: {
        code: 429,
        message:
          `${MESSAGE_HEAD}\n* Quota exceeded for metric: ${metric}requests, limit: 1, model: ${FLASH}` +
          `\n* Quota exceeded for metric: ${metric}input_token_count, limit: 100, model: ${FLASH}\nPlease retry in 49.8765s.`,
        status: 'RESOURCE_EXHAUSTED',
        details: [
          {
            '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
            violations: [
              violation(`${metric}requests`, 'GenerateRequestsPerMinutePerProjectPerModel-FreeTier', '1'),
              violation(
                `${metric}input_token_count`,
                'GenerateContentInputTokensPerModelPerMinute-FreeTier',
                '100',
              ),
            ],
          },
          HELP,
          { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '49.8765s' },
        ],
      },
    });
  });

  it('paid tier: paid quotaIds and metrics, whole-second retryDelay', async () => {
    sim.clock.ms = T0;
    expect((await sim.generate('key-paid-0002', promptOf(60, 'a'))).status).toBe(200);
    sim.clock.ms = T0 + 34_000;
    const refused = await sim.generate('key-paid-0002', promptOf(50, 'b'));
    expect(refused.status).toBe(429);
    expect(refused.json.error.details[0]).toEqual({
      '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
      violations: [
        violation(
          'generativelanguage.googleapis.com/generate_requests_per_model',
          'GenerateRequestsPerMinutePerProjectPerModel',
          '1',
        ),
        violation(
          'generativelanguage.googleapis.com/generate_content_paid_tier_input_token_count',
          'GenerateContentPaidTierInputTokensPerModelPerMinute',
          '100',
        ),
      ],
    });
    expect(refused.json.error.details[2]).toEqual({
      '@type': 'type.googleapis.com/google.rpc.RetryInfo',
      retryDelay: '26s',
    });
    expect(refused.json.error.message).toMatch(/\nPlease retry in 26s\.$/);
  });

  it('per-day limits use the PerDay quotaIds and wait until Pacific midnight', async () => {
    sim.clock.ms = T0; // 04:00 PST; midnight is at 08:00Z next day, 20 h away
    expect((await sim.generate('key-day-0003', promptOf(20, 'a'))).status).toBe(200);
    const tooManyTokens = await sim.generate('key-day-0003', promptOf(40, 'b'));
    expect(tooManyTokens.status).toBe(429);
    expect(quotaIdsOf(tooManyTokens.json)).toEqual(['GenerateContentInputTokensPerModelPerDay-FreeTier']);
    expect((await sim.generate('key-day-0003', promptOf(20, 'c'))).status).toBe(200);
    const tooMany = await sim.generate('key-day-0003', promptOf(1, 'd'));
    expect(quotaIdsOf(tooMany.json)).toEqual(['GenerateRequestsPerDayPerProjectPerModel-FreeTier']);
    expect(retryDelayMsOf(tooMany.json)).toBe(20 * 3600 * 1000);
  });

  it('a model without limits in the project gets the "limit: 0" form', async () => {
    sim.clock.ms = T0 + 15_000;
    const refused = await sim.generate('key-free-0001', 'hello', 'gemini-2.5-pro');
    expect(refused.status).toBe(429);
    expect(refused.json.error.message).toContain(
      '* Quota exceeded for metric: generativelanguage.googleapis.com/generate_content_free_tier_requests, limit: 0, model: gemini-2.5-pro',
    );
    expect(quotaIdsOf(refused.json)).toEqual([
      'GenerateRequestsPerMinutePerProjectPerModel-FreeTier',
      'GenerateContentInputTokensPerModelPerMinute-FreeTier',
      'GenerateRequestsPerDayPerProjectPerModel-FreeTier',
    ]);
    const violations = refused.json.error.details[0].violations as { quotaValue: string }[];
    expect(violations.map((v) => v.quotaValue)).toEqual(['0', '0', '0']);
    expect(retryDelayMsOf(refused.json)).toBe(45_000);
  });

  it('a single request larger than the TPM limit is refused on TPM alone', async () => {
    sim.clock.ms = T0 + 120_000;
    const refused = await sim.generate('key-free-0001', promptOf(101, 'z'));
    expect(refused.status).toBe(429);
    expect(quotaIdsOf(refused.json)).toEqual(['GenerateContentInputTokensPerModelPerMinute-FreeTier']);
  });
});
