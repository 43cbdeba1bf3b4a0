// Listener addresses (winrm-config.md §5.1): `*`, `IP:<v4>`, `IP:[<v6>]` or `IP:<v6>`, `MAC:xx-…`.
// Parsing, comparison keys and the loopback test used by validation, `checkExposure` and the
// listener layer when it binds.
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';

export type ParsedListenerAddress =
  /** `*`: every local address. Also `IP:0.0.0.0` and `IP:::`, which bind the same. */
  | { readonly kind: 'any' }
  | { readonly kind: 'ip'; readonly ip: string; readonly family: 4 | 6 }
  /** Syntactically valid, but the emulator cannot bind a NIC by MAC address. */
  | { readonly kind: 'mac'; readonly mac: string }
  | { readonly kind: 'invalid'; readonly reason: string };

const MAC_RE = /^[0-9A-Fa-f]{2}(-[0-9A-Fa-f]{2}){5}$/;

/** Parse a listener Address. The `IP:`/`MAC:` prefixes are case-insensitive, as on Windows. */
export function parseListenerAddress(address: string): ParsedListenerAddress {
  const text = address.trim();
  if (text === '*') return { kind: 'any' };
  const colon = text.indexOf(':');
  const prefix = colon < 0 ? '' : text.slice(0, colon).toUpperCase();
  const rest = colon < 0 ? '' : text.slice(colon + 1);
  if (prefix === 'IP') {
    let ip = rest;
    if (ip.startsWith('[') && ip.endsWith(']')) ip = ip.slice(1, -1);
    const family = isIP(ip);
    if (family === 4 || family === 6) {
      const key = ipKey(ip, family);
      if (key === '0.0.0.0' || key === '0:0:0:0:0:0:0:0') return { kind: 'any' };
      return { kind: 'ip', ip, family };
    }
    return { kind: 'invalid', reason: `'${rest}' is not an IPv4 or IPv6 address` };
  }
  if (prefix === 'MAC') {
    if (MAC_RE.test(rest)) return { kind: 'mac', mac: rest.toUpperCase() };
    return { kind: 'invalid', reason: `'${rest}' is not a MAC address of the form xx-xx-xx-xx-xx-xx` };
  }
  return { kind: 'invalid', reason: "must be '*', 'IP:<address>' or 'MAC:xx-xx-xx-xx-xx-xx'" };
}

/** Canonical spelling of a valid Address: upper-case prefix, IPv6 in brackets kept as written. */
export function canonicalListenerAddress(address: string): string {
  const text = address.trim();
  const colon = text.indexOf(':');
  if (colon < 0) return text;
  const prefix = text.slice(0, colon).toUpperCase();
  return prefix === 'IP' || prefix === 'MAC' ? `${prefix}:${text.slice(colon + 1)}` : text;
}

/** Expand an IPv6 address to its 8 groups; undefined when it cannot. Zone ids are dropped. */
function ipv6Groups(ip: string): number[] | undefined {
  let text = ip.split('%')[0] ?? '';
  const lastColon = text.lastIndexOf(':');
  const last = text.slice(lastColon + 1);
  if (last.includes('.')) {
    // Embedded IPv4 (`::ffff:127.0.0.1`): rewrite the dotted quad as two hex groups.
    const octets = last.split('.').map(Number);
    if (octets.length !== 4 || octets.some((o) => !Number.isInteger(o) || o < 0 || o > 255)) return undefined;
    const [a = 0, b = 0, c = 0, d = 0] = octets;
    text = `${text.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parse = (s: string): number[] => (s === '' ? [] : s.split(':').map((g) => (/^[0-9a-fA-F]{1,4}$/.test(g) ? parseInt(g, 16) : NaN)));
  const head = parse(halves[0] ?? '');
  const tail = halves.length === 2 ? parse(halves[1] ?? '') : [];
  const fill = 8 - head.length - tail.length;
  if (halves.length === 2 ? fill < 0 : fill !== 0) return undefined;
  const groups = [...head, ...new Array<number>(fill).fill(0), ...tail];
  return groups.every((g) => Number.isInteger(g)) ? groups : undefined;
}

/**
 * A comparison key: the dotted quad for IPv4 and IPv4-mapped IPv6, the 8 expanded lower-case hex
 * groups for IPv6, so `IP:[::1]`, `IP:::1` and `IP:0:0:0:0:0:0:0:1` compare equal.
 */
export function ipKey(ip: string, family: 4 | 6): string {
  if (family === 4) return ip;
  const groups = ipv6Groups(ip);
  if (groups === undefined) return ip.toLowerCase();
  const mapped = groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
  if (mapped) {
    const hi = groups[6] ?? 0;
    const lo = groups[7] ?? 0;
    return `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  }
  return groups.map((g) => g.toString(16)).join(':');
}

/** True for 127.0.0.0/8, ::1 and IPv4-mapped 127.x addresses. */
export function isLoopbackIp(ip: string, family: 4 | 6): boolean {
  const key = ipKey(ip, family);
  if (key.includes('.')) return key.startsWith('127.');
  return key === '0:0:0:0:0:0:0:1';
}

/** True when a listener with this Address is reachable only from the local machine. */
export function isLoopbackListenerAddress(address: string): boolean {
  const parsed = parseListenerAddress(address);
  return parsed.kind === 'ip' && isLoopbackIp(parsed.ip, parsed.family);
}

/**
 * The host to pass to `server.listen()` for a listener Address: the bare IP for `IP:…`; for `*`
 * the dual-stack wildcard `::` (all IPv4 and IPv6 addresses, as Windows' `*`), or `0.0.0.0` when
 * this machine has no IPv6 at all. Undefined for what the emulator cannot bind (MAC, invalid).
 */
export function listenerBindHost(address: string): string | undefined {
  const parsed = parseListenerAddress(address);
  if (parsed.kind === 'ip') return parsed.ip;
  if (parsed.kind !== 'any') return undefined;
  const hasIpv6 = Object.values(networkInterfaces()).some((list) => list?.some((i) => i.family === 'IPv6'));
  return hasIpv6 ? '::' : '0.0.0.0';
}
