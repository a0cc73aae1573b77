import { UsageSniffer } from './usage-sniffer';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('UsageSniffer', () => {
  it('finds the last counts, even split across chunks; output is answer plus thinking', () => {
    const sniffer = new UsageSniffer();
    const body =
      'data: {"candidates":[],"usageMetadata":{"promptTokenCount": 1234,"candidatesTokenCount":3}}\n\n' +
      'data: {"usageMetadata":{"promptTokenCount": 1234,"candidatesTokenCount":40,"thoughtsTokenCount":25,"totalTokenCount":1299}}\n\n';
    for (let i = 0; i < body.length; i += 7) sniffer.push(bytes(body.slice(i, i + 7)));
    expect(sniffer.usage()).toEqual({ promptTokens: 1234, outputTokens: 65, thinkingTokens: 25 });
  });

  it('reads the OpenAI-compatible usage', () => {
    const sniffer = new UsageSniffer();
    sniffer.push(bytes('{"usage":{"completion_tokens":4,"prompt_tokens":17,"total_tokens":21}}'));
    expect(sniffer.usage()).toEqual({ promptTokens: 17, outputTokens: 4 });
  });

  it('reads cached and thinking counts: Gemini usageMetadata and the OpenAI usage details', () => {
    const gemini = new UsageSniffer();
    gemini.push(
      bytes(
        '{"usageMetadata":{"promptTokenCount":500,"cachedContentTokenCount":300,"candidatesTokenCount":7}}',
      ),
    );
    expect(gemini.usage()).toEqual({ promptTokens: 500, outputTokens: 7, cachedTokens: 300 });
    const openAi = new UsageSniffer();
    openAi.push(
      bytes(
        '{"usage":{"completion_tokens":30,"prompt_tokens":90,"total_tokens":120,' +
          '"prompt_tokens_details":{"cached_tokens":64},"completion_tokens_details":{"reasoning_tokens":12}}}',
      ),
    );
    expect(openAi.usage()).toEqual({
      promptTokens: 90,
      outputTokens: 30,
      thinkingTokens: 12,
      cachedTokens: 64,
    });
  });

  it('a prompt count alone leaves the output unknown', () => {
    const sniffer = new UsageSniffer();
    sniffer.push(bytes('{"usageMetadata":{"promptTokenCount":9}}'));
    expect(sniffer.usage()).toEqual({ promptTokens: 9 });
  });

  it('ignores the field names inside answer text, and says null when there is no usage', () => {
    const sniffer = new UsageSniffer();
    sniffer.push(bytes('{"text":"say \\"promptTokenCount\\": 99 and \\"candidatesTokenCount\\": 5"}'));
    expect(sniffer.usage()).toBeNull();
  });
});
