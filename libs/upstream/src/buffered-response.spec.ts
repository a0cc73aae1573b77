import { BufferedResponse } from './buffered-response';

describe('BufferedResponse: what the SDK reads of a unary answer', () => {
  const raw = [
    'Content-Type',
    'application/json; charset=UTF-8',
    'X-Gemini-Service-Tier',
    'standard',
    'Vary',
    'a',
    'vary',
    'b',
  ];
  const answer = (status: number, body: string) =>
    new BufferedResponse(Buffer.from(body), status, 'Status', raw);

  it('reads like fetch: ok, status, json() and text(), headers by any case, repeated ones joined', async () => {
    const ok = answer(200, '{"candidates":[{"content":{"parts":[{"text":"ä"}]}}]}');
    expect([ok.ok, ok.status]).toEqual([true, 200]);
    expect(await ok.json()).toEqual({ candidates: [{ content: { parts: [{ text: 'ä' }] } }] });
    expect(await ok.clone().text()).toBe('{"candidates":[{"content":{"parts":[{"text":"ä"}]}}]}');
    expect(ok.headers.get('content-type')).toBe('application/json; charset=UTF-8');
    expect(ok.headers.get('VARY')).toBe('a, b');
    expect(ok.headers.get('missing')).toBeNull();
    expect([...ok.headers.entries()][1]).toEqual(['x-gemini-service-tier', 'standard']);
    const failed = answer(429, '{"error":{"code":429}}');
    expect([failed.ok, failed.statusText]).toEqual([false, 'Status']);
    expect(Buffer.from(await failed.arrayBuffer()).toString()).toBe('{"error":{"code":429}}');
    expect(await new Response(failed.body).text()).toBe('{"error":{"code":429}}');
  });
});
