import { countPromptTokens } from './tokens';

describe('countPromptTokens', () => {
  const user = (...texts: string[]) => ({ role: 'user', parts: texts.map((text) => ({ text })) });

  it('is ceil(characters / 4) over every text part', () => {
    expect(countPromptTokens({ contents: [user('abcd')] })).toBe(1);
    expect(countPromptTokens({ contents: [user('abcde')] })).toBe(2);
    expect(countPromptTokens({ contents: [user('abc', 'de'), user('fgh')] })).toBe(2);
  });

  it('includes systemInstruction and skips non-text parts', () => {
    const request = {
      systemInstruction: { parts: [{ text: 'x'.repeat(8) }] },
      contents: [
        {
          role: 'user',
          parts: [{ inlineData: { mimeType: 'image/png', data: 'AAAA' } }, { text: 'y'.repeat(4) }],
        },
      ],
    };
    expect(countPromptTokens(request)).toBe(3);
  });

  it('is at least 1', () => {
    expect(countPromptTokens({ contents: [user('')] })).toBe(1);
    expect(countPromptTokens({})).toBe(1);
  });
});
