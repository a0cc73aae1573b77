// Idle client connections stay open for KF_HTTP_KEEP_ALIVE_MS (65 s by default), not Node's 5 s.
import { Agent, get } from 'node:http';
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { bootApi, type ApiHarness } from '../admin/test/api-harness';

/** GET over `agent`, answering with the socket it went on. */
function getOn(agent: Agent, url: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const outgoing = get(url, { agent }, (incoming) => {
      const { socket } = incoming;
      incoming.resume();
      incoming.on('end', () => resolve(socket));
    });
    outgoing.on('error', reject);
  });
}

describe('HTTP keep-alive of the api', () => {
  let api: ApiHarness;
  let shortLived: ApiHarness;
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });

  beforeAll(async () => {
    api = await bootApi();
    shortLived = await bootApi({ KF_HTTP_KEEP_ALIVE_MS: '1000' });
  }, 60_000);
  afterAll(async () => {
    agent.destroy();
    await api?.close();
    await shortLived?.close();
  });

  it('keeps an idle connection past Node’s 5 s default, and closes it after KF_HTTP_KEEP_ALIVE_MS', async () => {
    const first = await getOn(agent, `${api.url}/healthz`);
    const firstShort = await getOn(agent, `${shortLived.url}/healthz`);
    let shortClosed = false;
    firstShort.once('close', () => (shortClosed = true));
    await sleep(5500);
    expect(await getOn(agent, `${api.url}/healthz`)).toBe(first); // the same connection
    expect(shortClosed).toBe(true);
  }, 20_000);
});
