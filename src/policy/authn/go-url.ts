// The part of Go's net/url.Parse that issuer URL validation observes: scheme (lower-cased), userinfo, host and
// port errors, raw query and fragment, and Go's error texts (`parse "<url>": …`).

export interface GoURL {
  scheme: string;
  hasUser: boolean;
  host: string;
  rawQuery: string;
  fragment: string;
}

export type GoURLResult = { ok: true; url: GoURL } | { ok: false; error: string };

const quote = (s: string) => JSON.stringify(s);

export function parseGoURL(raw: string): GoURLResult {
  const fail = (msg: string): GoURLResult => ({ ok: false, error: `parse ${quote(raw)}: ${msg}` });
  const hash = raw.indexOf('#');
  const rest0 = hash >= 0 ? raw.slice(0, hash) : raw;
  const fragment = hash >= 0 ? raw.slice(hash + 1) : '';
  if ([...rest0].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f))
    return fail('net/url: invalid control character in URL');
  if (/%(?![0-9A-Fa-f]{2})/.test(fragment)) {
    const m = /%.{0,2}/.exec(fragment.slice(fragment.search(/%(?![0-9A-Fa-f]{2})/)))!;
    return fail(`invalid URL escape ${quote(m[0])}`);
  }
  let scheme = '';
  let rest = rest0;
  for (let i = 0; i < rest0.length; i++) {
    const c = rest0[i]!;
    if (/[a-zA-Z]/.test(c)) continue;
    if (/[0-9+\-.]/.test(c)) {
      if (i === 0) break;
      continue;
    }
    if (c === ':') {
      if (i === 0) return fail('missing protocol scheme');
      scheme = rest0.slice(0, i).toLowerCase();
      rest = rest0.slice(i + 1);
    }
    break;
  }
  let rawQuery = '';
  const q = rest.indexOf('?');
  if (q >= 0) {
    rawQuery = rest.slice(q + 1);
    rest = rest.slice(0, q);
  }
  if (!rest.startsWith('/')) {
    if (scheme === '') {
      const colon = rest.indexOf(':');
      const slash = rest.indexOf('/');
      if (colon >= 0 && (slash < 0 || colon < slash)) return fail('first path segment in URL cannot contain colon');
    }
    return { ok: true, url: { scheme, hasUser: false, host: '', rawQuery, fragment } };
  }
  let hasUser = false;
  let host = '';
  if (rest.startsWith('//')) {
    const after = rest.slice(2);
    const slash = after.indexOf('/');
    const authority = slash >= 0 ? after.slice(0, slash) : after;
    const at = authority.lastIndexOf('@');
    let hostPart = authority;
    if (at >= 0) {
      hasUser = true;
      const userinfo = authority.slice(0, at);
      if (!/^[A-Za-z0-9\-._~!$&'()*+,;=:%]*$/.test(userinfo)) return fail('net/url: invalid userinfo');
      hostPart = authority.slice(at + 1);
    }
    const hostError = checkHost(hostPart);
    if (hostError) return fail(hostError);
    host = hostPart;
  }
  return { ok: true, url: { scheme, hasUser, host, rawQuery, fragment } };
}

function checkHost(host: string): string | undefined {
  if (host.startsWith('[')) {
    const end = host.lastIndexOf(']');
    if (end < 0) return "missing ']' in host";
    const port = host.slice(end + 1);
    if (port && !/^:[0-9]*$/.test(port)) return `invalid port ${quote(port)} after host`;
    return undefined;
  }
  const colon = host.lastIndexOf(':');
  if (colon >= 0) {
    const port = host.slice(colon);
    if (!/^:[0-9]*$/.test(port)) return `invalid port ${quote(port)} after host`;
  }
  const name = colon >= 0 ? host.slice(0, colon) : host;
  for (const ch of name) {
    if (!/[A-Za-z0-9\-._~!$&'()*+,;=%[\]:]/.test(ch) && ch.codePointAt(0)! < 0x80)
      return `invalid character ${quote(ch)} in host name`;
  }
  return undefined;
}
