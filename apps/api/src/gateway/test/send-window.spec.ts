// An interactive call whose request reaches the wire after its reservation's send window is held back
// (nothing written), its room given back, and admitted again: the client still gets its answer, the
// upstream sees one request, and the pool counts one. The upstream is a small real HTTP server.
import { channel } from 'node:diagnostics_channel';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bootApi, type ApiHarness } from '../../admin/test/api-harness';
import { addPoolAndClient, FLASH } from './gateway-harness';

const LIMITS = { [FLASH]: { rpm: 1000, tpm: 1_000_000, rpd: 100_000 } };
const ANSWER = {
  candidates: [{ content: { role: 'model', parts: [{ text: 'on time' }] }, finishReason: 'STOP', index: 0 }],
  usageMetadata: { promptTokenCount: 4, candidatesTokenCount: 2, totalTokenCount: 6 },
};

describe('the send window of interactive calls', () => {
  let upstream: Server;
  let api: ApiHarness;
  let clientKey: string;
  let received = 0;

  beforeAll(async () => {
    upstream = createServer((req, res) => {
      received += 1;
      req.resume();
      req.on('end', () =>
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(ANSWER)),
      );
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    // 400 ms to leave the process (half the headroom), measured from the reservation.
    api = await bootApi({ GEMINI_BASE_URL: base, KF_LOG_LEVEL: 'error', KF_QUOTA_HEADROOM_MS: '800' });
    clientKey = await addPoolAndClient(api, 'windowed', LIMITS, 'AQ.Ab8WindowedKey0000000001');
  }, 60_000);

  afterAll(async () => {
    await api?.close();
    upstream?.closeAllConnections();
    await new Promise((resolve) => upstream?.close(resolve));
  });

  const generate = () =>
    fetch(`${api.url}/v1beta/models/${FLASH}:generateContent`, {
      method: 'POST',
      headers: { 'x-goog-api-key': clientKey, 'content-type': 'application/json' },
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'are we late?' }] }] }),
    });

  const requestsInWindow = async () => {
    const { body } = await api.admin<{ quota: Array<{ model: string; window: { requests: number } }> }>(
      'GET',
      '/quota',
    );
    return body.quota.filter((row) => row.model === FLASH).reduce((sum, row) => sum + row.window.requests, 0);
  };

  it('holds back a request connected after its deadline, gives its room back and sends it again', async () => {
    expect((await generate()).status).toBe(200); // warm: the client's own connection to the api is open
    upstream.closeAllConnections(); // the api's next upstream call needs a new connection
    const countedBefore = await requestsInWindow();
    received = 0;
    let stalls = 0;
    // The first new socket stalls the event loop past the send window, as a long GC pause would.
    const stall = () => {
      if (stalls++ > 0) return;
      const until = performance.now() + 600;
      while (performance.now() < until);
    };
    const connecting = channel('net.client.socket');
    connecting.subscribe(stall);
    try {
      const response = await generate();
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({
        candidates: [{ content: { parts: [{ text: 'on time' }] } }],
      });
    } finally {
      connecting.unsubscribe(stall);
    }
    expect(stalls).toBe(2); // held back once, then a second connection
    expect(received).toBe(1); // the late one never reached the upstream
    expect(await requestsInWindow()).toBe(countedBefore + 1); // its reservation was given back
  });
});
