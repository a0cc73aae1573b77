import { Client } from 'pg';
import { TcpProxy } from './tcp-proxy';

const POSTGRES = process.env['TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

describe('TcpProxy (in front of the real Postgres)', () => {
  let proxy: TcpProxy;
  let url: string;

  beforeAll(async () => {
    ({ proxy, url } = await TcpProxy.forUrl(POSTGRES));
  });
  afterAll(() => proxy.close());

  const select1 = async (client: Client) => (await client.query('SELECT 1 AS one')).rows[0].one as number;

  it('forwards, then cuts open connections and refuses new ones, then lets them through again', async () => {
    const before = new Client({ connectionString: url });
    await before.connect();
    expect(await select1(before)).toBe(1);
    const lost = new Promise<Error>((resolve) => before.on('error', resolve));

    proxy.cut();
    expect(proxy.down).toBe(true);
    await expect(select1(before)).rejects.toThrow();
    expect((await lost).message).toMatch(/terminated|ECONNRESET/);
    const during = new Client({ connectionString: url });
    during.on('error', () => undefined);
    await expect(during.connect()).rejects.toThrow();
    expect(proxy.refused).toBeGreaterThanOrEqual(1);

    proxy.restore();
    const after = new Client({ connectionString: url });
    await after.connect();
    expect(await select1(after)).toBe(1);
    await after.end();
  });
});
