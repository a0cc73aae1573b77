import { UsageSniffer } from './usage-sniffer';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('UsageSniffer', () => {
  it('finds the last prompt token count, even split across chunks', () => {
    const sniffer = new UsageSniffer();
    const body =
      'data: {"candidates":[]}\n\ndata: {"usageMetadata":{"promptTokenCount": 1234,"totalTokenCount":9}}\n\n';
    for (let i = 0; i < body.length; i += 7) sniffer.push(bytes(body.slice(i, i + 7)));
    expect(sniffer.promptTokens()).toBe(1234);
  });

  it('reads the OpenAI-compatible usage.prompt_tokens', () => {
    const sniffer = new UsageSniffer();
    sniffer.push(bytes('{"usage":{"completion_tokens":4,"prompt_tokens":17,"total_tokens":21}}'));
    expect(sniffer.promptTokens()).toBe(17);
  });

  it('ignores the field name inside answer text, and says null when there is no usage', () => {
    const sniffer = new UsageSniffer();
    sniffer.push(bytes('{"text":"say \\"promptTokenCount\\": 99"}'));
    expect(sniffer.promptTokens()).toBeNull();
  });
});
