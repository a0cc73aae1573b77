import { estimateTokens, TokenCalibrator } from './token-estimator';

describe('estimateTokens', () => {
  it('counts ceil(chars / 4) over a plain string', () => {
    expect(estimateTokens({ contents: 'abcdefghi' })).toBe(3);
  });

  it('walks Content[], parts and the system instruction (REST and SDK shapes)', () => {
    const request = {
      contents: [
        { role: 'user', parts: [{ text: 'a'.repeat(10) }, { text: 'b'.repeat(6) }] },
        { role: 'model', parts: [{ text: 'c'.repeat(4) }] },
      ],
      systemInstruction: { parts: [{ text: 'd'.repeat(8) }] },
    };
    expect(estimateTokens(request)).toBe(7); // 28 chars
    expect(
      estimateTokens({ contents: ['x'.repeat(3), { text: 'y' }], config: { systemInstruction: 'zzzz' } }),
    ).toBe(2);
  });

  it('ignores non-text parts and never answers less than 1', () => {
    expect(
      estimateTokens({ contents: [{ parts: [{ inlineData: { mimeType: 'image/png', data: 'AAAA' } }] }] }),
    ).toBe(1);
    expect(estimateTokens({})).toBe(1);
  });

  it('counts function calls and responses as their JSON text', () => {
    const call = { name: 'f', args: { q: 'weather' } };
    expect(estimateTokens({ contents: [{ parts: [{ functionCall: call }] }] })).toBe(
      Math.ceil(JSON.stringify(call).length / 4),
    );
  });
});

describe('TokenCalibrator', () => {
  it('starts at ratio 1 and adopts the first observation', () => {
    const calibrator = new TokenCalibrator();
    expect(calibrator.apply('m', 100)).toBe(100);
    calibrator.observe('m', 100, 150);
    expect(calibrator.ratio('m')).toBeCloseTo(1.5);
    expect(calibrator.apply('m', 100)).toBe(150);
    expect(calibrator.ratio('other')).toBe(1);
  });

  it('moves as an EWMA towards new observations', () => {
    const calibrator = new TokenCalibrator({ alpha: 0.5 });
    calibrator.observe('m', 100, 100);
    calibrator.observe('m', 100, 200);
    expect(calibrator.ratio('m')).toBeCloseTo(1.5);
  });

  it('clamps the ratio to 0.5..4', () => {
    const calibrator = new TokenCalibrator();
    calibrator.observe('low', 1000, 1);
    calibrator.observe('high', 1, 1000);
    expect(calibrator.ratio('low')).toBe(0.5);
    expect(calibrator.ratio('high')).toBe(4);
  });

  it('ignores observations without a positive estimate', () => {
    const calibrator = new TokenCalibrator();
    calibrator.observe('m', 0, 50);
    expect(calibrator.ratio('m')).toBe(1);
  });
});
