import type { IncomingMessage } from 'node:http';
import { isIPv4, isIPv6 } from 'node:net';

/**
 * Which proxies in front of the collector may speak for the client:
 * - `false`: none; the address is the TCP peer and `X-Forwarded-For` is ignored.
 * - a number N ≥ 1: exactly N proxies you run sit in front (`true` means 1). Each appends
 *   the address it received the request from, so the client is the N-th entry from the
 *   right of `X-Forwarded-For`; anything further left was written by the client itself.
 * - a list of proxy addresses: entries are read from the right, skipping the TCP peer and
 *   every entry that is one of these addresses; the first other one is the client. A peer
 *   that is not on the list is the client, whatever it sent.
 */
export type TrustProxy = boolean | number | readonly string[];

/**
 * The client's address under `trust` (see {@link TrustProxy}). Only entries added by a
 * trusted proxy are believed, so a client cannot choose the address it is rate limited
 * and recorded under by sending its own `X-Forwarded-For`.
 */
export function clientAddress(req: IncomingMessage, trust: TrustProxy): string {
  const peer = normalise(req.socket.remoteAddress ?? '');
  if (trust === false || trust === 0) return peer;
  const header = req.headers['x-forwarded-for'];
  // Node joins repeated X-Forwarded-For headers with ", ", in the order they came.
  const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((entry) => normalise(entry.trim()))
    .filter(Boolean);
  const hops = [...forwarded, peer];
  if (typeof trust === 'object') {
    const proxies = new Set(trust.map(normalise));
    let index = hops.length - 1;
    while (index > 0 && proxies.has(hops[index]!)) index--;
    return hops[index]!;
  }
  const count = trust === true ? 1 : trust;
  // Fewer entries than proxies: the request skipped the outer ones, and the left-most
  // entry is still one a trusted proxy wrote.
  return hops[Math.max(0, hops.length - 1 - count)]!;
}

/** `::ffff:203.0.113.7` and `203.0.113.7` are one address; a `[v6]:port` form loses its port. */
function normalise(address: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(address);
  const bare = bracketed ? bracketed[1]! : address;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
  return (mapped ? mapped[1]! : bare).toLowerCase();
}

/**
 * Keeps only the network part of an address (IPv4 /24, IPv6 /48), enough to spot abuse
 * without storing a personal identifier. Anything unparseable becomes null.
 */
export function truncateIp(address: string): string | null {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  const ip = mapped ? mapped[1]! : address;
  if (isIPv4(ip)) return `${ip.split('.').slice(0, 3).join('.')}.0`;
  if (!isIPv6(ip)) return null;
  return `${expand(ip).slice(0, 3).join(':')}::`;
}

/**
 * What the rate limit and the sign-in brake count an address under: an IPv4 address itself, an IPv6 address's /64
 * (one host is usually given a whole /64, and may use any address in it).
 */
export function limitKey(address: string): string {
  if (!isIPv6(address)) return address;
  return `${expand(address).slice(0, 4).join(':')}::/64`;
}

/**
 * What the per-network share of new notices counts an address under: its IPv4 /24 or IPv6 /48, the
 * block one customer of a provider usually holds (an unparseable address stands for itself).
 */
export function networkKey(address: string): string {
  const network = truncateIp(address);
  if (network === null) return address;
  return `${network}/${network.includes(':') ? 48 : 24}`;
}

/** The eight groups of an IPv6 address, `::` filled in, without leading zeros. */
function expand(ip: string): string[] {
  const [head = '', tail = ''] = ip.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
  return groups.map((group) => Number.parseInt(group, 16).toString(16));
}

/**
 * Whether the client reached us over https: the socket is TLS, or a proxy that `trust` trusts (the
 * TCP peer, under a hop count any peer; under a list, one of its addresses) says so in the right-most
 * `X-Forwarded-Proto` entry, the one it wrote itself. A client's own `X-Forwarded-Proto` counts for nothing.
 */
export function isHttps(req: IncomingMessage, trust: TrustProxy): boolean {
  if ((req.socket as { encrypted?: boolean }).encrypted) return true;
  if (trust === false || trust === 0) return false;
  if (typeof trust === 'object' && !trust.map(normalise).includes(normalise(req.socket.remoteAddress ?? ''))) {
    return false;
  }
  const header = req.headers['x-forwarded-proto'];
  const entries = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',');
  return entries[entries.length - 1]!.trim().toLowerCase() === 'https';
}
