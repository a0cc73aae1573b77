import { CidrList, normalizeCidr, normalizeIpAddress, parseIpAddress } from './cidr';

describe('normalizeCidr', () => {
  it.each([
    ['10.0.0.0/8', '10.0.0.0/8'],
    [' 10.1.2.3/8 ', '10.0.0.0/8'],
    ['192.168.1.7', '192.168.1.7/32'],
    ['0.0.0.0/0', '0.0.0.0/0'],
    ['2001:DB8::1/32', '2001:db8::/32'],
    ['2001:0db8:0000:0000::0001', '2001:db8::1/128'],
    ['::/0', '::/0'],
    ['::ffff:10.1.2.3', '10.1.2.3/32'],
    ['::ffff:10.0.0.0/104', '10.0.0.0/8'],
    ['fe80::1%eth0/64', 'fe80::/64'],
  ])('%s → %s', (input, expected) => {
    expect(normalizeCidr(input)).toBe(expected);
  });

  it.each([
    '10.0.0.0/33',
    '2001:db8::/129',
    '10.0.0/8',
    '10',
    '10.0.0.0/',
    '10.0.0.0/8/8',
    '10.0.0.0/-1',
    '10.0.0.0/ 8',
    '256.0.0.0/8',
    'example.com',
    '',
    '::ffff:10.0.0.0/64',
  ])('rejects %j', (input) => {
    expect(normalizeCidr(input)).toBeNull();
  });
});

describe('parseIpAddress / normalizeIpAddress', () => {
  it('normalises IPv4-mapped IPv6 to IPv4 and IPv6 to its short form', () => {
    expect(normalizeIpAddress('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(normalizeIpAddress('::FFFF:7f00:1')).toBe('127.0.0.1');
    expect(normalizeIpAddress('2001:0DB8::0001')).toBe('2001:db8::1');
    expect(parseIpAddress('fe80::1%eth0')?.toString()).toBe('fe80::1');
  });

  it('rejects non-addresses and loose IPv4 spellings', () => {
    expect(parseIpAddress('10.1')).toBeNull();
    expect(parseIpAddress('0x0a.0.0.1')).toBeNull();
    expect(parseIpAddress('unknown')).toBeNull();
    expect(parseIpAddress('1.2.3.4:80')).toBeNull();
  });
});

describe('CidrList', () => {
  const list = CidrList.parse(['10.0.0.0/8', '192.168.1.1', '2001:db8::/32']);

  it('keeps entries normalised', () => {
    expect(list.entries).toEqual(['10.0.0.0/8', '192.168.1.1/32', '2001:db8::/32']);
    expect(list.size).toBe(3);
  });

  it('matches IPv4, IPv6 and IPv4-mapped IPv6 addresses', () => {
    expect(list.contains('10.200.3.4')).toBe(true);
    expect(list.contains('::ffff:10.200.3.4')).toBe(true);
    expect(list.contains('192.168.1.1')).toBe(true);
    expect(list.contains('192.168.1.2')).toBe(false);
    expect(list.contains('11.0.0.1')).toBe(false);
    expect(list.contains('2001:db8:ffff::1')).toBe(true);
    expect(list.contains('2001:db9::1')).toBe(false);
    expect(list.contains('not-an-ip')).toBe(false);
  });

  it('never matches across families', () => {
    expect(CidrList.parse(['::/0']).contains('10.0.0.1')).toBe(false);
    expect(CidrList.parse(['0.0.0.0/0']).contains('::1')).toBe(false);
    expect(CidrList.parse(['0.0.0.0/0']).contains('::ffff:1.2.3.4')).toBe(true);
  });

  it('names the entry it cannot parse', () => {
    expect(() => CidrList.parse(['10.0.0.0/8', '10.0.0.0/33'])).toThrow('invalid CIDR "10.0.0.0/33"');
  });
});
