import type { AuthenticatedClient, ClientsService } from '@keyfleet/registry';
import { CLIENT_KEY_REFRESH_AHEAD_MS, ClientKeyCache } from './client-key-cache';
import { ClientKeyVerifier } from './client-key-verifier';

const team: AuthenticatedClient = {
  clientId: 'c1',
  name: 'team',
  allowedIps: ['10.0.0.0/8'],
  keyExpiresAt: null,
};

/** A ClientsService whose answers the test releases one by one, counting the reads. */
function pendingReads() {
  const reads: Array<(client: AuthenticatedClient | null) => void> = [];
  const clients = {
    authenticate: () => new Promise<AuthenticatedClient | null>((resolve) => reads.push(resolve)),
  } as unknown as ClientsService;
  return { clients, reads };
}

describe('ClientKeyVerifier', () => {
  afterEach(() => jest.useRealTimers());

  it('reads a key once however many calls ask for it at the same time', async () => {
    const { clients, reads } = pendingReads();
    const verifier = new ClientKeyVerifier(clients, new ClientKeyCache());
    const answers = Promise.all(Array.from({ length: 10 }, () => verifier.verify('kf_a')));
    expect(reads).toHaveLength(1);
    reads[0](team);
    expect((await answers).every((entry) => entry?.client.clientId === 'c1')).toBe(true);
  });

  it('answers from the cache while re-reading a key in the background, and drops it once revoked', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const { clients, reads } = pendingReads();
    const cache = new ClientKeyCache();
    const verifier = new ClientKeyVerifier(clients, cache);
    const first = verifier.verify('kf_a');
    reads[0](team);
    expect((await first)?.client.clientId).toBe('c1');

    jest.setSystemTime(1_000_000 + CLIENT_KEY_REFRESH_AHEAD_MS);
    expect((await verifier.verify('kf_a'))?.client.clientId).toBe('c1'); // no wait on the read
    expect(reads).toHaveLength(2);
    reads[1](null); // revoked meanwhile
    await Promise.resolve();
    await Promise.resolve();
    expect(cache.get('kf_a')).toBeUndefined();
    const after = verifier.verify('kf_a');
    expect(reads).toHaveLength(3);
    reads[2](null);
    expect(await after).toBeNull();
  });
});
