import {
  CLIENT_KEY_CACHE_MS,
  CLIENT_KEY_KEEP_WARM_MS,
  CLIENT_KEY_REFRESH_AHEAD_MS,
  ClientKeyCache,
} from './client-key-cache';

const client = (keyExpiresAt: Date | null) => ({
  clientId: 'c1',
  name: 'team',
  allowedIps: ['10.0.0.0/8'],
  keyExpiresAt,
});

describe('ClientKeyCache', () => {
  it('keeps a verified key for CLIENT_KEY_CACHE_MS, with its parsed allowlist', () => {
    const cache = new ClientKeyCache();
    cache.set('hash-a', client(null), 1000);
    expect(cache.get('hash-a', 1000 + CLIENT_KEY_CACHE_MS - 1)?.allowlist.contains('10.1.2.3')).toBe(true);
    expect(cache.get('hash-a', 1000 + CLIENT_KEY_CACHE_MS)).toBeUndefined();
    expect(cache.get('hash-b', 1000)).toBeUndefined();
  });

  it('never keeps a key past its own expiry, and forgets everything on clear()', () => {
    const cache = new ClientKeyCache();
    cache.set('hash-a', client(new Date(1500)), 1000);
    expect(cache.get('hash-a', 1499)).toBeDefined();
    expect(cache.get('hash-a', 1500)).toBeUndefined();
    cache.set('hash-b', client(null), 1000);
    cache.clear();
    expect(cache.get('hash-b', 1001)).toBeUndefined();
  });
});

describe('ClientKeyCache refresh marks', () => {
  it('is due for a background re-read from CLIENT_KEY_REFRESH_AHEAD_MS, before it expires', () => {
    const cache = new ClientKeyCache();
    cache.set('hash-a', client(null), 1000);
    expect(cache.dueForRefresh(1000 + CLIENT_KEY_REFRESH_AHEAD_MS - 1)).toEqual([]);
    expect(cache.dueForRefresh(1000 + CLIENT_KEY_REFRESH_AHEAD_MS)).toEqual(['hash-a']);
    expect(CLIENT_KEY_REFRESH_AHEAD_MS).toBeLessThan(CLIENT_KEY_CACHE_MS);
  });

  it('keeps re-reading a key only while it was used within CLIENT_KEY_KEEP_WARM_MS', () => {
    const cache = new ClientKeyCache();
    cache.set('hash-a', client(null), 0);
    cache.set('hash-b', client(null), 0);
    expect(cache.get('hash-a', 1000)).toBeDefined(); // hash-b is never used again
    // Both re-read in time (as the verifier does) until hash-b's last use is too far back.
    const late = CLIENT_KEY_KEEP_WARM_MS + 500;
    cache.set('hash-a', client(null), late - CLIENT_KEY_REFRESH_AHEAD_MS);
    cache.set('hash-b', client(null), late - CLIENT_KEY_REFRESH_AHEAD_MS);
    expect(cache.dueForRefresh(late)).toEqual(['hash-a']);
  });

  it('keeps nothing from a read begun before clear(), and forgets one key on forget()', () => {
    const cache = new ClientKeyCache();
    const mark = cache.mark();
    cache.clear();
    expect(cache.set('hash-a', client(null), 1000, mark).client.clientId).toBe('c1');
    expect(cache.get('hash-a', 1001)).toBeUndefined();
    cache.set('hash-b', client(null), 1000);
    cache.forget('hash-b');
    expect(cache.get('hash-b', 1001)).toBeUndefined();
  });
});
