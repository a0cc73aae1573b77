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

  it("counts an EmbedContentRequest's one content", () => {
    expect(estimateTokens({ content: { parts: [{ text: 'x'.repeat(40) }, { text: 'y'.repeat(2) }] } })).toBe(
      11,
    );
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

describe('estimateTokens on deep input', () => {
  const nested = (levels: number, leaf: unknown): unknown => {
    let value = leaf;
    for (let i = 0; i < levels; i++) value = { parts: [value] };
    return value;
  };

  it('walks parts nested 100,000 deep without overflowing the stack', () => {
    expect(estimateTokens({ contents: [nested(100_000, { text: 'abcdefgh' })] })).toBe(2);
  });

  it('measures a function call nested 100,000 deep as its JSON text would be', () => {
    const deep = { name: 'f', args: nested(100_000, { q: 'x' }) };
    const shallow = { name: 'f', args: nested(50, { q: 'x', n: [1, true, null, 'a"b'] }) };
    expect(estimateTokens({ contents: [{ parts: [{ functionCall: shallow }] }] })).toBe(
      Math.ceil(JSON.stringify(shallow).length / 4),
    );
    // {"parts":[ … ]} is 12 characters a level.
    expect(estimateTokens({ contents: [{ parts: [{ functionResponse: deep }] }] })).toBe(
      Math.ceil((JSON.stringify({ name: 'f', args: {} }).length - 2 + 100_000 * 12 + 9) / 4),
    );
  });
});
