import { SHIPPED_MODEL_PRICES } from '@keyfleet/registry';
import { costOfTokens, LANE_PRICE_FACTORS } from './pricing';
import { laneOfServiceTier } from './service-tier';
import { tokensOfUsageMetadata } from './usage-metadata';

const flash = SHIPPED_MODEL_PRICES['gemini-2.5-flash']; // $0.30 in, $2.50 out per million
const pro = SHIPPED_MODEL_PRICES['gemini-2.5-pro']; // $1.25/$10, above 200k prompt tokens $2.50/$15

describe('costOfTokens', () => {
  const tokens = { inputTokens: 1000, outputTokens: 200, thinkingTokens: 100, cachedTokens: 0 };

  it('charges input at the input rate and answer + thinking at the output rate, live', () => {
    expect(costOfTokens(flash, 'live', tokens)).toBe(1000 * 0.3 + 300 * 2.5);
  });

  it('halves the price on the Flex and Batch Mode lanes', () => {
    expect(LANE_PRICE_FACTORS).toEqual({ live: 1, flex: 0.5, economy: 0.5 });
    expect(costOfTokens(flash, 'flex', tokens)).toBe((1000 * 0.3 + 300 * 2.5) / 2);
    expect(costOfTokens(flash, 'economy', tokens)).toBe((1000 * 0.3 + 300 * 2.5) / 2);
  });

  it('charges cached tokens at the input rate (the price table has no cached-input price)', () => {
    const cached = { ...tokens, cachedTokens: 600 };
    expect(costOfTokens(flash, 'live', cached)).toBe(costOfTokens(flash, 'live', tokens));
  });

  it('uses the long-context rate above its threshold', () => {
    const long = { inputTokens: 200_001, outputTokens: 10, thinkingTokens: 0, cachedTokens: 0 };
    expect(costOfTokens(pro, 'live', long)).toBe(200_001 * 2.5 + 10 * 15);
  });

  it('keeps 6 decimals of a micro-dollar', () => {
    const lite = SHIPPED_MODEL_PRICES['gemini-2.0-flash-lite']; // $0.075 in
    expect(
      costOfTokens(lite, 'economy', { ...tokens, inputTokens: 3, outputTokens: 0, thinkingTokens: 0 }),
    ).toBe(0.1125);
  });
});

describe('tokensOfUsageMetadata', () => {
  it('reads prompt, answer, thinking and cached counts; absent ones are 0', () => {
    expect(
      tokensOfUsageMetadata({
        promptTokenCount: 120,
        candidatesTokenCount: 30,
        thoughtsTokenCount: 12,
        cachedContentTokenCount: 100,
        totalTokenCount: 162,
      }),
    ).toEqual({ inputTokens: 120, outputTokens: 30, thinkingTokens: 12, cachedTokens: 100 });
    expect(tokensOfUsageMetadata({ promptTokenCount: 5 })).toEqual({
      inputTokens: 5,
      outputTokens: 0,
      thinkingTokens: 0,
      cachedTokens: 0,
    });
    expect(tokensOfUsageMetadata(undefined)).toEqual({
      inputTokens: 0,
      outputTokens: 0,
      thinkingTokens: 0,
      cachedTokens: 0,
    });
  });
});

describe('laneOfServiceTier', () => {
  it('prices a Flex answer in the flex lane and every other tier live', () => {
    expect(laneOfServiceTier('flex')).toBe('flex');
    expect(laneOfServiceTier(' FLEX ')).toBe('flex');
    for (const tier of ['standard', 'priority', '', null, undefined])
      expect(laneOfServiceTier(tier)).toBe('live');
  });
});
