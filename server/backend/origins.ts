// Which Origins (CSRF and cross-site WebSocket hijacking) and Host headers (DNS rebinding) the server accepts:
// exactly its own origin(s) plus the ones the operator names with --allow-origin. Comparison is exact string
// equality on the serialized origin: no suffix matching, no wildcards, `null` never.

import { isIP } from 'node:net';

export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  if (bare === 'localhost') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) === 6) return bare === '::1';
  return false;
}

export function isWildcardHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  return bare === '0.0.0.0' || bare === '::';
}

function hostForUrl(host: string): string {
  const bare = host.replace(/^\[|\]$/g, '');
  return isIP(bare) === 6 ? `[${bare}]` : bare;
}

/**
 * An `--allow-origin` value in the exact form browsers send: scheme://host[:port], no path, no trailing slash.
 * Returns the error message, or undefined when the value is fine.
 */
export function checkOriginValue(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `"${value}" is not an origin (expected scheme://host[:port], e.g. http://localhost:5173)`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `"${value}" must be an http:// or https:// origin`;
  if (url.origin !== value) {
    return `"${value}" is not in origin form; browsers would send "${url.origin}" (no path, no trailing slash, default port omitted)`;
  }
  return undefined;
}

export interface AllowedOrigins {
  /** Exact Origin header values accepted. */
  origins: Set<string>;
  /** Exact Host header values accepted (host[:port]), derived from the origins. */
  hosts: Set<string>;
  /** The URL printed for people: http://HOST:PORT/ */
  url: string;
}

/** The server's own origins for a bound host and port, plus the extra ones. */
export function allowedOrigins(
  host: string,
  port: number,
  extra: readonly string[] = [],
  scheme: 'http' | 'https' = 'http',
): AllowedOrigins {
  const own: string[] = [];
  let urlHost: string;
  if (isWildcardHost(host)) {
    // Bound to every interface: the only names we can vouch for are the loopback ones; others need --allow-origin.
    urlHost = '127.0.0.1';
    own.push(`${scheme}://127.0.0.1:${port}`, `${scheme}://localhost:${port}`);
  } else if (isLoopbackHost(host)) {
    urlHost = hostForUrl(host);
    own.push(`${scheme}://${urlHost}:${port}`, `${scheme}://127.0.0.1:${port}`, `${scheme}://localhost:${port}`);
  } else {
    urlHost = hostForUrl(host);
    own.push(`${scheme}://${urlHost}:${port}`);
  }
  const origins = new Set([...own, ...extra]);
  const hosts = new Set<string>();
  for (const origin of origins) hosts.add(new URL(origin).host);
  return { origins, hosts, url: `${scheme}://${urlHost}:${port}/` };
}
