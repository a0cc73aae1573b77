// Idle client connections stay open for KF_HTTP_KEEP_ALIVE_MS (65 s by default), not Node's 5 s.
import { once } from 'node:events';
import { Agent, get } from 'node:http';
import { connect, type Socket } from 'node:net';
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

  // Node's server times idle connections out itself (no clock to inject): what keyfleet decides is the
  // timeout it sets, and that a connection is kept, then closed by the server once idle that long.
  it('keeps idle connections for KF_HTTP_KEEP_ALIVE_MS, 65 s by default instead of Node’s 5 s', async () => {
    expect(api.app.getHttpServer().keepAliveTimeout).toBe(65_000);
    expect(shortLived.app.getHttpServer().keepAliveTimeout).toBe(1000);
    const first = await getOn(agent, `${api.url}/healthz`);
    expect(await getOn(agent, `${api.url}/healthz`)).toBe(first); // the same connection
  });

  it('closes a connection left idle for KF_HTTP_KEEP_ALIVE_MS (the server closes it, not the client)', async () => {
    // A bare socket: Node's Agent would close the connection itself, 1 s before the server's Keep-Alive hint.
    const { port } = new URL(shortLived.url);
    const socket = connect(Number(port), '127.0.0.1');
    await once(socket, 'connect');
    socket.write('GET /healthz HTTP/1.1\r\nHost: keyfleet\r\n\r\n');
    const [answer] = (await once(socket, 'data')) as [Buffer];
    expect(answer.toString()).toMatch(/^HTTP\/1\.1 200 [\s\S]*Keep-Alive: timeout=1\r\n/);
    await once(socket, 'end'); // the server ends it; within the test's timeout (65 s would fail it)
    socket.destroy();
  }, 20_000);
});
