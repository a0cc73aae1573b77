import { KNOWN_MODELS, TIER_PRESETS, effectiveLimits } from './model-limits';

describe('TIER_PRESETS', () => {
  it('holds the example limits of GEMINI-FACTS.md', () => {
    expect(TIER_PRESETS.free['gemini-2.5-flash']).toEqual({ rpm: 10, tpm: 250_000, rpd: 250, tpd: null });
    expect(TIER_PRESETS.free['gemini-2.0-flash']).toEqual({ rpm: 15, tpm: 1_000_000, rpd: 200, tpd: null });
    expect(TIER_PRESETS.tier1['gemini-2.5-pro']).toEqual({
      rpm: 150,
      tpm: 2_000_000,
      rpd: 10_000,
      tpd: null,
    });
    expect(TIER_PRESETS.tier2['gemini-2.5-flash']).toEqual({
      rpm: 2_000,
      tpm: 3_000_000,
      rpd: 100_000,
      tpd: null,
    });
  });

  it('uses null where the table has no per-day limit', () => {
    expect(TIER_PRESETS.tier1['gemini-2.5-flash-lite']?.rpd).toBeNull();
    expect(TIER_PRESETS.tier1['gemini-2.0-flash']?.rpd).toBeNull();
    expect(TIER_PRESETS.tier3['gemini-2.5-pro']?.rpd).toBeNull();
    expect(TIER_PRESETS.tier3['gemini-2.5-flash']).toEqual({
      rpm: 10_000,
      tpm: 8_000_000,
      rpd: null,
      tpd: null,
    });
  });

  it('only names known models, and the free tier names them all', () => {
    for (const preset of Object.values(TIER_PRESETS)) {
      for (const model of Object.keys(preset)) expect(KNOWN_MODELS).toContain(model);
    }
    expect(Object.keys(TIER_PRESETS.free).sort()).toEqual([...KNOWN_MODELS].sort());
    expect(Object.keys(TIER_PRESETS.tier2).sort()).toEqual(['gemini-2.5-flash', 'gemini-2.5-pro']);
  });
});

describe('effectiveLimits', () => {
  const explicit = { model: 'gemini-2.5-flash', rpm: 7, tpm: 1000, rpd: null, tpd: 5000 };

  it('fills models without an explicit row from the tier preset', () => {
    const limits = effectiveLimits({ tier: 'free' }, [explicit]);
    expect(limits['gemini-2.5-flash']).toEqual({ rpm: 7, tpm: 1000, rpd: null, tpd: 5000 });
    expect(limits['gemini-2.5-pro']).toEqual(TIER_PRESETS.free['gemini-2.5-pro']);
    expect(Object.keys(limits)).toHaveLength(4);
  });

  it('adds explicit models the tier does not know', () => {
    const custom = { model: 'gemini-3-pro-preview', rpm: 1, tpm: 2, rpd: 3, tpd: null };
    const limits = effectiveLimits({ tier: 'tier3' }, [custom]);
    expect(Object.keys(limits)).toEqual(['gemini-2.5-flash', 'gemini-2.5-pro', 'gemini-3-pro-preview']);
  });

  it('gives only explicit rows to a project without a tier', () => {
    expect(effectiveLimits({ tier: null }, [explicit])).toEqual({
      'gemini-2.5-flash': { rpm: 7, tpm: 1000, rpd: null, tpd: 5000 },
    });
    expect(effectiveLimits({ tier: null }, [])).toEqual({});
  });

  it('never lets a caller mutate the presets', () => {
    const limits = effectiveLimits({ tier: 'free' }, []);
    limits['gemini-2.5-pro'].rpm = 999;
    expect(TIER_PRESETS.free['gemini-2.5-pro']?.rpm).toBe(5);
  });
});
