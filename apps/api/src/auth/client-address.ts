import type { IncomingHttpHeaders } from 'node:http';
import { CidrList, parseIpAddress, type IpAddress } from '@keyfleet/registry';

export interface AddressedRequest {
  socket: { remoteAddress?: string | undefined };
  headers: IncomingHttpHeaders;
}

/**
 * The address a request comes from, normalised (`10.1.2.3`, `2001:db8::1`; IPv4-mapped IPv6 as IPv4).
 * It is the socket's peer, unless the peer is a trusted proxy: then `X-Forwarded-For` is read from
 * the right, skipping trusted proxies, and the first hop that is not one is the client. Anything a
 * client wrote further left is ignored, and so is the header when the peer is not trusted.
 * null when the peer has no address (a closed socket).
 */
export function clientAddress(
  request: AddressedRequest,
  trustedProxies: readonly string[] | CidrList,
): string | null {
  const peer = parseIpAddress(request.socket.remoteAddress ?? '');
  if (!peer) return null;
  const trusted = trustedProxies instanceof CidrList ? trustedProxies : CidrList.parse(trustedProxies);
  if (trusted.size === 0 || !trusted.contains(peer)) return peer.toString();
  let address: IpAddress = peer;
  const hops = forwardedHops(request.headers['x-forwarded-for']);
  for (let index = hops.length - 1; index >= 0; index--) {
    const hop = parseHop(hops[index] ?? '');
    // An unreadable hop: nothing left of it can be trusted, so the last proxy we trust answers.
    if (!hop) break;
    address = hop;
    if (!trusted.contains(hop)) break;
  }
  return address.toString();
}

function forwardedHops(header: string | string[] | undefined): string[] {
  const values = Array.isArray(header) ? header : header ? [header] : [];
  return values
    .flatMap((value) => value.split(','))
    .map((hop) => hop.trim())
    .filter(Boolean);
}

/** `10.1.2.3`, `10.1.2.3:5678`, `2001:db8::1`, `[2001:db8::1]:443`. */
function parseHop(hop: string): IpAddress | null {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(hop);
  if (bracketed) return parseIpAddress(bracketed[1] ?? '');
  const ipv4WithPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(hop);
  if (ipv4WithPort) return parseIpAddress(ipv4WithPort[1] ?? '');
  return parseIpAddress(hop);
}
