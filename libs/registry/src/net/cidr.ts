import ipaddr from 'ipaddr.js';

export type IpAddress = ipaddr.IPv4 | ipaddr.IPv6;
export type IpRange = [IpAddress, number];

const MAPPED_PREFIX_BITS = 96;

/**
 * Parses an IP address strictly (dotted-quad IPv4, or IPv6), dropping any zone id and turning an
 * IPv4-mapped IPv6 address (`::ffff:10.1.2.3`) into its IPv4 form. null if it is not an address.
 */
export function parseIpAddress(text: string): IpAddress | null {
  const value = text.trim();
  if (!value.includes(':')) {
    return ipaddr.IPv4.isValidFourPartDecimal(value) ? ipaddr.IPv4.parse(value) : null;
  }
  if (!ipaddr.IPv6.isValid(value)) return null;
  const address = ipaddr.IPv6.parse(value);
  if (address.isIPv4MappedAddress()) return address.toIPv4Address();
  return new ipaddr.IPv6(address.parts);
}

/** An address in its one canonical spelling (`10.1.2.3`, `2001:db8::1`), or null if invalid. */
export function normalizeIpAddress(text: string): string | null {
  return parseIpAddress(text)?.toString() ?? null;
}

/**
 * Parses `10.0.0.0/8`, `2001:db8::/32` or a bare address (meaning /32 or /128) into its network
 * address and prefix length; IPv4-mapped IPv6 ranges become IPv4 ranges. null if invalid.
 */
export function parseCidr(text: string): IpRange | null {
  const [addressText = '', prefixText, ...rest] = text.trim().split('/');
  if (rest.length > 0) return null;
  const address = parseIpAddress(addressText);
  if (!address) return null;
  const maxBits = address.kind() === 'ipv4' ? 32 : 128;
  const wasMapped = address.kind() === 'ipv4' && addressText.includes(':');
  let prefix = maxBits;
  if (prefixText !== undefined) {
    if (!/^\d{1,3}$/.test(prefixText)) return null;
    prefix = Number(prefixText);
    if (wasMapped) {
      if (prefix < MAPPED_PREFIX_BITS || prefix > 128) return null;
      prefix -= MAPPED_PREFIX_BITS;
    } else if (prefix > maxBits) {
      return null;
    }
  }
  return [networkAddress(address, prefix), prefix];
}

/** A CIDR in canonical form: the network address and its prefix (`10.1.2.3/8` → `10.0.0.0/8`). */
export function normalizeCidr(text: string): string | null {
  const range = parseCidr(text);
  return range ? `${range[0].toString()}/${range[1]}` : null;
}

function networkAddress(address: IpAddress, prefix: number): IpAddress {
  const bytes = address.toByteArray();
  for (let bit = prefix; bit < bytes.length * 8; bit++) {
    bytes[bit >> 3] &= ~(0x80 >> (bit & 7));
  }
  return ipaddr.fromByteArray(bytes);
}

/** A parsed list of CIDRs (an allowlist, the trusted proxies) that answers "is this address in it?". */
export class CidrList {
  private constructor(
    readonly entries: readonly string[],
    private readonly ranges: readonly IpRange[],
  ) {}

  /** Throws an Error naming the first entry that is not a valid CIDR or address. */
  static parse(entries: readonly string[]): CidrList {
    const ranges = entries.map((entry) => {
      const range = parseCidr(entry);
      if (!range) throw new Error(`invalid CIDR "${entry}"`);
      return range;
    });
    return new CidrList(
      ranges.map(([address, prefix]) => `${address.toString()}/${prefix}`),
      ranges,
    );
  }

  get size(): number {
    return this.ranges.length;
  }

  contains(address: string | IpAddress): boolean {
    const parsed = typeof address === 'string' ? parseIpAddress(address) : address;
    if (!parsed) return false;
    return this.ranges.some(([network, prefix]) => {
      if (network.kind() !== parsed.kind()) return false;
      return parsed.kind() === 'ipv4'
        ? (parsed as ipaddr.IPv4).match(network, prefix)
        : (parsed as ipaddr.IPv6).match(network, prefix);
    });
  }
}
