// Kubernetes' URL library (library/urls.go) over a port of the parts of Go's net/url it relies on:
// url.ParseRequestURI (absolute URI or absolute path), Host/Hostname/Port, EscapedPath and Query.

import { func, method, type Library } from '../decls.ts';
import { MapValue, OpaqueValue, fail, type Value } from '../values.ts';

interface ParsedURL {
  scheme: string;
  opaque: string;
  user: string;
  host: string;
  path: string;
  rawPath: string;
  rawQuery: string;
}

class URLError extends Error {}

function unescape(s: string, mode: 'path' | 'host' | 'query'): string {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '%') {
      const h = s.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(h)) throw new URLError(`invalid URL escape ${JSON.stringify(s.slice(i, i + 3))}`);
      bytes.push(parseInt(h, 16));
      i += 2;
    } else if (c === '+' && mode === 'query') bytes.push(0x20);
    else bytes.push(...new TextEncoder().encode(c));
  }
  return new TextDecoder().decode(Uint8Array.from(bytes));
}

function getScheme(raw: string): [string, string] {
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (/[a-zA-Z]/.test(c)) continue;
    if (/[0-9+\-.]/.test(c)) {
      if (i === 0) return ['', raw];
      continue;
    }
    if (c === ':') {
      if (i === 0) throw new URLError('missing protocol scheme');
      return [raw.slice(0, i), raw.slice(i + 1)];
    }
    return ['', raw];
  }
  return ['', raw];
}

function parseHost(host: string): string {
  if (host.startsWith('[')) {
    const i = host.lastIndexOf(']');
    if (i < 0) throw new URLError(`missing ']' in host`);
    const port = host.slice(i + 1);
    if (port && !/^:[0-9]*$/.test(port)) throw new URLError(`invalid port ${JSON.stringify(port)} after host`);
    return unescape(host, 'host');
  }
  const i = host.lastIndexOf(':');
  if (i >= 0) {
    const port = host.slice(i);
    if (!/^:[0-9]*$/.test(port)) throw new URLError(`invalid port ${JSON.stringify(port)} after host`);
  }
  return unescape(host, 'host');
}

/** Go's url.ParseRequestURI. */
export function parseRequestURI(raw: string): ParsedURL {
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(raw)) throw new URLError('net/url: invalid control character in URL');
  if (raw === '') throw new URLError('empty url');
  const u: ParsedURL = { scheme: '', opaque: '', user: '', host: '', path: '', rawPath: '', rawQuery: '' };
  if (raw === '*') {
    u.path = '*';
    return u;
  }
  const [scheme, afterScheme] = getScheme(raw);
  let rest = afterScheme;
  u.scheme = scheme.toLowerCase();
  const q = rest.indexOf('?');
  if (q >= 0) {
    u.rawQuery = rest.slice(q + 1);
    rest = rest.slice(0, q);
  }
  if (!rest.startsWith('/')) {
    if (u.scheme !== '') {
      u.opaque = rest;
      return u;
    }
    throw new URLError('invalid URI for request');
  }
  if (u.scheme !== '' && rest.startsWith('//')) {
    const after = rest.slice(2);
    const slash = after.indexOf('/');
    const authority = slash >= 0 ? after.slice(0, slash) : after;
    rest = slash >= 0 ? after.slice(slash) : '';
    const at = authority.lastIndexOf('@');
    if (at >= 0) u.user = authority.slice(0, at);
    u.host = parseHost(at >= 0 ? authority.slice(at + 1) : authority);
  }
  u.path = unescape(rest, 'path');
  u.rawPath = rest;
  return u;
}

function escapePath(p: string): string {
  return Array.from(new TextEncoder().encode(p))
    .map((b) => {
      const c = String.fromCharCode(b);
      return /[A-Za-z0-9\-._~$&+,/:;=@!'()*]/.test(c) && b < 0x80
        ? c
        : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');
}

export class URLValue extends OpaqueValue {
  readonly typeName = 'kubernetes.URL';
  constructor(
    readonly text: string,
    readonly url: ParsedURL,
  ) {
    super();
  }
  equals(o: OpaqueValue): boolean {
    return o instanceof URLValue && o.text === this.text;
  }
  toJSON(): string {
    return this.text;
  }
  hostname(): string {
    const h = this.url.host;
    if (h.startsWith('[')) return h.slice(1, h.indexOf(']'));
    const i = h.lastIndexOf(':');
    return i >= 0 ? h.slice(0, i) : h;
  }
  port(): string {
    const h = this.url.host;
    const close = h.indexOf(']');
    const i = h.lastIndexOf(':');
    return i > close ? h.slice(i + 1) : '';
  }
  escapedPath(): string {
    // Go keeps RawPath when it is a valid encoding of Path, else re-escapes Path.
    try {
      if (this.url.rawPath && unescape(this.url.rawPath, 'path') === this.url.path) return this.url.rawPath;
    } catch {
      // fall through to re-escaping
    }
    return escapePath(this.url.path);
  }
  query(): MapValue {
    const out = new Map<string, string[]>();
    for (const pair of this.url.rawQuery.split('&')) {
      if (pair === '' || pair.includes(';')) continue;
      const eq = pair.indexOf('=');
      try {
        const k = unescape(eq >= 0 ? pair.slice(0, eq) : pair, 'query');
        const v = unescape(eq >= 0 ? pair.slice(eq + 1) : '', 'query');
        out.set(k, [...(out.get(k) ?? []), v]);
      } catch {
        continue;
      }
    }
    return new MapValue([...out.entries()].map(([k, v]) => [k, Object.freeze(v)] as const));
  }
}

function toURL(s: string): URLValue {
  try {
    return new URLValue(s, parseRequestURI(s));
  } catch (e) {
    if (e instanceof URLError)
      return fail(`URL parse error during conversion from string: parse ${JSON.stringify(s)}: ${e.message}`);
    throw e;
  }
}

const u = (v: Value) => v as URLValue;

export const urlsLibrary: Library = {
  name: 'kubernetes urls',
  introduced: 0,
  overloads: [
    func('url', ['string'], 'kubernetes.URL', ([s]) => toURL(s as string)),
    func('isURL', ['string'], 'bool', ([s]) => {
      try {
        parseRequestURI(s as string);
        return true;
      } catch (e) {
        if (e instanceof URLError) return false;
        throw e;
      }
    }),
    func('string', ['kubernetes.URL'], 'string', ([a]) => u(a!).text),
    method('kubernetes.URL', 'getScheme', [], 'string', ([a]) => u(a!).url.scheme),
    method('kubernetes.URL', 'getHost', [], 'string', ([a]) => u(a!).url.host),
    method('kubernetes.URL', 'getHostname', [], 'string', ([a]) => u(a!).hostname()),
    method('kubernetes.URL', 'getPort', [], 'string', ([a]) => u(a!).port()),
    method('kubernetes.URL', 'getEscapedPath', [], 'string', ([a]) => u(a!).escapedPath()),
    method('kubernetes.URL', 'getQuery', [], 'map(string, list(string))', ([a]) => u(a!).query()),
  ],
};
