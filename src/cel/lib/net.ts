// Kubernetes' IP and CIDR libraries (1.30+, library/ip.go and cidr.go) with Go net/netip parsing: IPv4 without
// leading zeros, IPv6 with `::` and an embedded IPv4 tail; zones and IPv4-mapped IPv6 addresses are rejected.

import { func, method, type Library } from '../decls.ts';
import { OpaqueValue, fail, type Value } from '../values.ts';

function parseV4(s: string): number[] | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^[0-9]{1,3}$/.test(p) || (p.length > 1 && p.startsWith('0'))) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out.push(n);
  }
  return out;
}

function parseV6(s: string): number[] | undefined {
  if (s.includes('%')) return undefined;
  const dbl = s.indexOf('::');
  if (dbl >= 0 && s.indexOf('::', dbl + 1) >= 0) return undefined;
  const parseGroups = (part: string): number[] | undefined => {
    if (part === '') return [];
    const groups = part.split(':');
    const bytes: number[] = [];
    for (let i = 0; i < groups.length; i++) {
      const g = groups[i]!;
      if (i === groups.length - 1 && g.includes('.')) {
        const v4 = parseV4(g);
        if (!v4) return undefined;
        bytes.push(...v4);
        continue;
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      const n = parseInt(g, 16);
      bytes.push(n >> 8, n & 0xff);
    }
    return bytes;
  };
  if (dbl < 0) {
    const b = parseGroups(s);
    return b && b.length === 16 ? b : undefined;
  }
  const head = parseGroups(s.slice(0, dbl));
  const tail = parseGroups(s.slice(dbl + 2));
  if (!head || !tail || head.length + tail.length > 14) return undefined;
  return [...head, ...new Array<number>(16 - head.length - tail.length).fill(0), ...tail];
}

export class IPValue extends OpaqueValue {
  readonly typeName = 'net.IP';
  constructor(readonly bytes: readonly number[]) {
    super();
  }
  get family(): 4 | 6 {
    return this.bytes.length === 4 ? 4 : 6;
  }
  equals(o: OpaqueValue): boolean {
    return o instanceof IPValue && o.bytes.length === this.bytes.length && o.bytes.every((b, i) => b === this.bytes[i]);
  }
  override toString(): string {
    if (this.family === 4) return this.bytes.join('.');
    const groups: number[] = [];
    for (let i = 0; i < 16; i += 2) groups.push((this.bytes[i]! << 8) | this.bytes[i + 1]!);
    // RFC 5952: compress the longest run (≥ 2) of zero groups, the first one on a tie.
    let best = -1;
    let bestLen = 1;
    for (let i = 0; i < 8;) {
      if (groups[i] !== 0) {
        i++;
        continue;
      }
      let j = i;
      while (j < 8 && groups[j] === 0) j++;
      if (j - i > bestLen) [best, bestLen] = [i, j - i];
      i = j;
    }
    const hex = groups.map((g) => g.toString(16));
    if (best < 0) return hex.join(':');
    return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
  }
  toJSON(): string {
    return this.toString();
  }
}

/** Parses an address as Kubernetes' ip() does; returns an error text otherwise. */
export function parseIP(s: string): IPValue | string {
  const v4 = !s.includes(':') ? parseV4(s) : undefined;
  if (v4) return new IPValue(v4);
  if (s.includes('%')) return `IP address ${JSON.stringify(s)} with zone value is not allowed`;
  const v6 = s.includes(':') ? parseV6(s) : undefined;
  if (!v6) return `ParseAddr(${JSON.stringify(s)}): unable to parse IP`;
  if (v6.slice(0, 10).every((b) => b === 0) && v6[10] === 0xff && v6[11] === 0xff)
    return `IPv4-mapped IPv6 address ${JSON.stringify(s)} is not allowed`;
  return new IPValue(v6);
}

export class CIDRValue extends OpaqueValue {
  readonly typeName = 'net.CIDR';
  constructor(
    readonly ip: IPValue,
    readonly bits: number,
  ) {
    super();
  }
  equals(o: OpaqueValue): boolean {
    return o instanceof CIDRValue && o.bits === this.bits && o.ip.equals(this.ip);
  }
  masked(): CIDRValue {
    const b = this.ip.bytes.map((x, i) => {
      const keep = Math.max(0, Math.min(8, this.bits - i * 8));
      return x & ((0xff << (8 - keep)) & 0xff);
    });
    return new CIDRValue(new IPValue(b), this.bits);
  }
  contains(ip: IPValue): boolean {
    return ip.family === this.ip.family && new CIDRValue(ip, this.bits).masked().ip.equals(this.masked().ip);
  }
  toJSON(): string {
    return `${this.ip.toString()}/${this.bits}`;
  }
}

export function parseCIDR(s: string): CIDRValue | string {
  const slash = s.lastIndexOf('/');
  if (slash < 0)
    return `network address parse error during conversion from string: netip.ParsePrefix(${JSON.stringify(s)}): no '/'`;
  const ip = parseIP(s.slice(0, slash));
  if (typeof ip === 'string') return `network address parse error during conversion from string: ${ip}`;
  const bitsText = s.slice(slash + 1);
  const bits = Number(bitsText);
  const max = ip.family === 4 ? 32 : 128;
  if (!/^(0|[1-9][0-9]*)$/.test(bitsText) || bits > max) {
    return `network address parse error during conversion from string: netip.ParsePrefix(${JSON.stringify(s)}): bad bits after slash: ${JSON.stringify(bitsText)}`;
  }
  return new CIDRValue(ip, bits);
}

const ip = (v: Value) => v as IPValue;
const cidr = (v: Value) => v as CIDRValue;
const toIP = (s: Value): IPValue => {
  const r = parseIP(s as string);
  if (typeof r !== 'string') return r;
  // Only Go's own parse errors get Kubernetes' conversion prefix; its extra checks (zones, mapped) stand alone.
  return fail(
    r.startsWith('ParseAddr(') ? `IP Address ${JSON.stringify(s)} parse error during conversion from string: ${r}` : r,
  );
};
const toCIDR = (s: Value): CIDRValue => {
  const r = parseCIDR(s as string);
  // kube-apiserver repeats its prefix in cidr() errors; reproduced as is.
  return typeof r === 'string' ? fail(`network address parse error during conversion from string: ${r}`) : r;
};

const isLoopback = (a: IPValue) =>
  a.family === 4 ? a.bytes[0] === 127 : a.bytes.slice(0, 15).every((b) => b === 0) && a.bytes[15] === 1;
const isUnspecified = (a: IPValue) => a.bytes.every((b) => b === 0);
const isLinkLocalUnicast = (a: IPValue) =>
  a.family === 4 ? a.bytes[0] === 169 && a.bytes[1] === 254 : a.bytes[0] === 0xfe && (a.bytes[1]! & 0xc0) === 0x80;
const isLinkLocalMulticast = (a: IPValue) =>
  a.family === 4
    ? a.bytes[0] === 224 && a.bytes[1] === 0 && a.bytes[2] === 0
    : a.bytes[0] === 0xff && (a.bytes[1]! & 0x0f) === 0x02;
const isMulticast = (a: IPValue) => (a.family === 4 ? (a.bytes[0]! & 0xf0) === 0xe0 : a.bytes[0] === 0xff);
const isGlobalUnicast = (a: IPValue) =>
  !isUnspecified(a) &&
  !isLoopback(a) &&
  !isMulticast(a) &&
  !isLinkLocalUnicast(a) &&
  !(a.family === 4 && a.bytes.every((b) => b === 255));

export const ipLibrary: Library = {
  name: 'kubernetes ip',
  introduced: 30,
  overloads: [
    func('ip', ['string'], 'net.IP', ([s]) => toIP(s!)),
    func('isIP', ['string'], 'bool', ([s]) => typeof parseIP(s as string) !== 'string'),
    func('ip.isCanonical', ['string'], 'bool', ([s]) => toIP(s!).toString() === s),
    func('string', ['net.IP'], 'string', ([a]) => ip(a!).toString()),
    method('net.IP', 'family', [], 'int', ([a]) => BigInt(ip(a!).family)),
    method('net.IP', 'isUnspecified', [], 'bool', ([a]) => isUnspecified(ip(a!))),
    method('net.IP', 'isLoopback', [], 'bool', ([a]) => isLoopback(ip(a!))),
    method('net.IP', 'isLinkLocalMulticast', [], 'bool', ([a]) => isLinkLocalMulticast(ip(a!))),
    method('net.IP', 'isLinkLocalUnicast', [], 'bool', ([a]) => isLinkLocalUnicast(ip(a!))),
    method('net.IP', 'isGlobalUnicast', [], 'bool', ([a]) => isGlobalUnicast(ip(a!))),
  ],
};

export const cidrLibrary: Library = {
  name: 'kubernetes cidr',
  introduced: 30,
  overloads: [
    func('cidr', ['string'], 'net.CIDR', ([s]) => toCIDR(s!)),
    func('isCIDR', ['string'], 'bool', ([s]) => typeof parseCIDR(s as string) !== 'string'),
    func('string', ['net.CIDR'], 'string', ([c]) => cidr(c!).toJSON()),
    method('net.CIDR', 'containsIP', ['string'], 'bool', ([c, s]) => cidr(c!).contains(toIP(s!))),
    method('net.CIDR', 'containsIP', ['net.IP'], 'bool', ([c, a]) => cidr(c!).contains(ip(a!))),
    method('net.CIDR', 'containsCIDR', ['string'], 'bool', ([c, s]) => {
      const o = toCIDR(s!);
      return o.bits >= cidr(c!).bits && cidr(c!).contains(o.ip);
    }),
    method(
      'net.CIDR',
      'containsCIDR',
      ['net.CIDR'],
      'bool',
      ([c, d]) => cidr(d!).bits >= cidr(c!).bits && cidr(c!).contains(cidr(d!).ip),
    ),
    method('net.CIDR', 'ip', [], 'net.IP', ([c]) => cidr(c!).ip),
    method('net.CIDR', 'masked', [], 'net.CIDR', ([c]) => cidr(c!).masked()),
    method('net.CIDR', 'prefixLength', [], 'int', ([c]) => BigInt(cidr(c!).bits)),
  ],
};
