// What kind of address a URL's host names, as SMN tells the endpoints it refuses:
// "internal addresses, including but not limited to IPv4 private addresses, IPv6 local
// addresses and loopback addresses, are not supported" (Huawei Cloud SDK model
// AddSubscriptionRequestBody; 403 SMN.0069 "Not authorized to subscribe internal
// endpoints", error-code table of both editions). Only what the host itself says is
// read: a name is not resolved (a name that resolves to an internal address is the
// service's to refuse, not a client's to guess), but `localhost` and `*.localhost` are
// this machine by definition (RFC 6761).
import { isIPv4, isIPv6 } from 'node:net';

/** `loopback` this machine, `private` a private network (RFC 1918, RFC 6598, IPv6 unique local), `link-local`, `unspecified` (0.0.0.0, ::). */
export type InternalAddress = 'loopback' | 'private' | 'link-local' | 'unspecified';

/** The kind of internal address a host (as in a URL: IPv6 in brackets or not) names, or undefined for a public address or a name. */
export function internalAddress(host: string): InternalAddress | undefined {
  const name = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (name === 'localhost' || name.endsWith('.localhost')) return 'loopback';
  if (isIPv4(name)) return ipv4Kind(name);
  if (!isIPv6(name)) return undefined;
  const groups = ipv6Groups(name);
  // An IPv4-mapped address (::ffff:a.b.c.d) is the IPv4 address.
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return ipv4Kind(`${groups[6]! >> 8}.${groups[6]! & 255}.${groups[7]! >> 8}.${groups[7]! & 255}`);
  }
  if (groups.slice(0, 7).every((g) => g === 0)) return groups[7] === 1 ? 'loopback' : groups[7] === 0 ? 'unspecified' : undefined;
  if ((groups[0]! & 0xfe00) === 0xfc00) return 'private';
  if ((groups[0]! & 0xffc0) === 0xfe80) return 'link-local';
  return undefined;
}

function ipv4Kind(address: string): InternalAddress | undefined {
  const [a, b] = address.split('.').map(Number) as [number, number];
  if (a === 127) return 'loopback';
  if (a === 0) return 'unspecified';
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127)) return 'private';
  if (a === 169 && b === 254) return 'link-local';
  return undefined;
}

/** The eight 16-bit groups of a valid IPv6 address (`::` expanded, a trailing dotted IPv4 read as two groups). */
function ipv6Groups(address: string): number[] {
  let text = address.replace(/%.*$/, '');
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [, a, b, c, d] = dotted.map(Number) as [number, number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const part = (s: string): number[] => (s === '' ? [] : s.split(':').map((g) => Number.parseInt(g, 16)));
  const front = part(head);
  if (tail === undefined) return front;
  const back = part(tail);
  return [...front, ...new Array<number>(8 - front.length - back.length).fill(0), ...back];
}
