import { clientAddress, type AddressedRequest } from './client-address';

const request = (remoteAddress: string | undefined, forwardedFor?: string | string[]): AddressedRequest => ({
  socket: { remoteAddress },
  headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
});

describe('clientAddress', () => {
  it('is the socket peer when there is no trusted proxy', () => {
    expect(clientAddress(request('203.0.113.9'), [])).toBe('203.0.113.9');
  });

  it('ignores a spoofed X-Forwarded-For from an untrusted peer', () => {
    expect(clientAddress(request('203.0.113.9', '10.1.2.3'), [])).toBe('203.0.113.9');
    expect(clientAddress(request('203.0.113.9', '10.1.2.3'), ['127.0.0.1'])).toBe('203.0.113.9');
  });

  it('takes the right-most untrusted hop when the peer is a trusted proxy', () => {
    expect(clientAddress(request('127.0.0.1', '10.1.2.3'), ['127.0.0.1'])).toBe('10.1.2.3');
    // The client forged "1.1.1.1"; our proxy appended the real address; a second proxy is trusted too.
    expect(
      clientAddress(request('127.0.0.1', '1.1.1.1, 198.51.100.7, 172.16.0.5'), [
        '127.0.0.1',
        '172.16.0.0/12',
      ]),
    ).toBe('198.51.100.7');
    expect(clientAddress(request('127.0.0.1', ['1.1.1.1', '198.51.100.7']), ['127.0.0.1'])).toBe(
      '198.51.100.7',
    );
  });

  it('falls back to the last trusted address when the chain is all proxies, empty or garbled', () => {
    expect(clientAddress(request('127.0.0.1', '172.16.0.5'), ['127.0.0.1', '172.16.0.0/12'])).toBe(
      '172.16.0.5',
    );
    expect(clientAddress(request('127.0.0.1'), ['127.0.0.1'])).toBe('127.0.0.1');
    expect(clientAddress(request('127.0.0.1', '10.9.9.9, not-an-ip'), ['127.0.0.1'])).toBe('127.0.0.1');
  });

  it('reads hops with ports and bracketed IPv6', () => {
    expect(clientAddress(request('127.0.0.1', '10.1.2.3:5555'), ['127.0.0.1'])).toBe('10.1.2.3');
    expect(clientAddress(request('127.0.0.1', '[2001:DB8::7]:443'), ['127.0.0.1'])).toBe('2001:db8::7');
  });

  it('handles IPv6 peers and trusted IPv6 proxies', () => {
    expect(clientAddress(request('2001:0db8:0:0::1'), [])).toBe('2001:db8::1');
    expect(clientAddress(request('::1', '2001:db8::42'), ['::1'])).toBe('2001:db8::42');
  });

  it('normalises IPv4-mapped IPv6 peers and hops to IPv4, and matches them against IPv4 proxies', () => {
    expect(clientAddress(request('::ffff:203.0.113.9'), [])).toBe('203.0.113.9');
    expect(clientAddress(request('::ffff:127.0.0.1', '::ffff:10.1.2.3'), ['127.0.0.1'])).toBe('10.1.2.3');
  });

  it('is null without a peer address', () => {
    expect(clientAddress(request(undefined), [])).toBeNull();
  });
});
