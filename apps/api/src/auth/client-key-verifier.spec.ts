import type { AuthenticatedClient, ClientsService } from '@keyfleet/registry';
import { hashClientKey } from '@keyfleet/secrets';
import { isDatabaseUnavailable } from '@keyfleet/errors';
import { ManualClock } from '@keyfleet/testing';
import {
  CLIENT_KEY_CACHE_MS,
  CLIENT_KEY_REFRESH_AHEAD_MS,
  CLIENT_KEY_STALE_MAX_MS,
  ClientKeyCache,
} from './client-key-cache';
import { ClientKeyVerifier } from './client-key-verifier';

const KEY_A = 'kf_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const KEY_B = 'kf_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';
const KEY_C = 'kf_cccccccccccccccccccccccccccccc';
const team = (clientId: string): AuthenticatedClient => ({
  clientId,
  name: 'team',
  allowedIps: ['10.0.0.0/8'],
  keyExpiresAt: null,
});

interface PendingRead {
  hashes: string[];
  answer(found: Record<string, AuthenticatedClient>): void;
  fail(error: Error): void;
}

/** A ClientsService whose answers the test gives one by one, keeping what each read asked for. */
function pendingReads() {
  const reads: PendingRead[] = [];
  const clients = {
    authenticateHashes: (hashes: string[]) =>
      new Promise<Map<string, AuthenticatedClient>>((resolve, reject) =>
        reads.push({ hashes, answer: (found) => resolve(new Map(Object.entries(found))), fail: reject }),
      ),
  } as unknown as ClientsService;
  return { clients, reads };
}

/** What node-postgres throws when it cannot reach the server. */
const unreachable = () =>
  Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });

const settle = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

describe('ClientKeyVerifier', () => {
  afterEach(() => jest.useRealTimers());

  it('reads a key once however many calls ask for it at the same time; refuses a non-key unread', async () => {
    const { clients, reads } = pendingReads();
    const verifier = new ClientKeyVerifier(clients, new ClientKeyCache());
    const answers = Promise.all(Array.from({ length: 10 }, () => verifier.verify(KEY_A)));
    expect(reads).toHaveLength(1);
    reads[0].answer({ [hashClientKey(KEY_A)]: team('c1') });
    expect((await answers).every((entry) => entry?.client.clientId === 'c1')).toBe(true);
    expect(await verifier.verify('AIzaSyNotAClientKey')).toBeNull();
    expect(reads).toHaveLength(1);
    verifier.onModuleDestroy();
  });

  it('keeps keys in use verified in the background, in one read, and drops one revoked meanwhile', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const { clients, reads } = pendingReads();
    const verifier = new ClientKeyVerifier(clients, new ClientKeyCache());
    const first = Promise.all([verifier.verify(KEY_A), verifier.verify(KEY_B)]);
    reads[0].answer({ [hashClientKey(KEY_A)]: team('a') });
    reads[1].answer({ [hashClientKey(KEY_B)]: team('b') });
    expect((await first).map((entry) => entry?.client.clientId)).toEqual(['a', 'b']);

    jest.advanceTimersByTime(CLIENT_KEY_REFRESH_AHEAD_MS); // no call meanwhile: the timer re-reads
    expect(reads).toHaveLength(3);
    expect(reads[2].hashes.sort()).toEqual([hashClientKey(KEY_A), hashClientKey(KEY_B)].sort());
    reads[2].answer({ [hashClientKey(KEY_A)]: team('a') }); // KEY_B was revoked
    await settle();

    // Past the first verification's expiry, KEY_A answers from memory; KEY_B has to be read again.
    jest.setSystemTime(1_000_000 + CLIENT_KEY_CACHE_MS + 1);
    expect((await verifier.verify(KEY_A))?.client.clientId).toBe('a');
    expect(reads).toHaveLength(3);
    const again = verifier.verify(KEY_B);
    expect(reads).toHaveLength(4);
    reads[3].answer({});
    expect(await again).toBeNull();
    verifier.onModuleDestroy();
  });

  it('while Postgres is unreachable, believes keys verified within CLIENT_KEY_STALE_MAX_MS, never past their expiry; others get the outage', async () => {
    const clock = new ManualClock();
    const { clients, reads } = pendingReads();
    const verifier = new ClientKeyVerifier(clients, new ClientKeyCache(), clock);
    const soon = new Date(clock.now() + 10 * 60_000);
    const first = Promise.all([verifier.verify(KEY_A), verifier.verify(KEY_B)]);
    reads[0].answer({ [hashClientKey(KEY_A)]: team('a') });
    reads[1].answer({ [hashClientKey(KEY_B)]: { ...team('b'), keyExpiresAt: soon } });
    await first;

    clock.advance(CLIENT_KEY_CACHE_MS + 1); // the background re-read is due; Postgres is gone
    reads.slice(2).forEach((read) => read.fail(unreachable()));
    await settle();
    const during = verifier.verify(KEY_A);
    expect(reads).toHaveLength(3); // a failure a moment ago: nobody waits for another read to fail
    expect((await during)?.client.clientId).toBe('a');

    clock.advance(2_000);
    const unknown = verifier.verify(KEY_C);
    reads[reads.length - 1].fail(unreachable());
    const error: unknown = await unknown.catch((e: unknown) => e);
    expect(isDatabaseUnavailable(error)).toBe(true); // a 503, not a 401: the key may well be valid

    clock.advance(10 * 60_000 - 2_000); // KEY_B has expired meanwhile; KEY_A is 10 minutes stale
    reads.slice(3).forEach((read) => read.fail(unreachable()));
    await settle();
    expect((await verifier.verify(KEY_A))?.client.clientId).toBe('a');
    const expired = verifier.verify(KEY_B).catch((e: unknown) => e);
    reads[reads.length - 1]?.fail(unreachable());
    expect(isDatabaseUnavailable(await expired)).toBe(true);

    clock.advance(CLIENT_KEY_STALE_MAX_MS); // too long without Postgres: KEY_A is not believed any more
    reads.forEach((read) => read.fail(unreachable()));
    const tooOld = verifier.verify(KEY_A).catch((e: unknown) => e);
    reads[reads.length - 1].fail(unreachable());
    expect(isDatabaseUnavailable(await tooOld)).toBe(true);

    const back = verifier.verify(KEY_A); // Postgres is back
    reads[reads.length - 1].answer({ [hashClientKey(KEY_A)]: team('a') });
    expect((await back)?.client.clientId).toBe('a');
    verifier.onModuleDestroy();
  });
});
