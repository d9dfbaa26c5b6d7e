// The issuer URL: the one string that discovery's `issuer`, every token's `iss` and each cluster's
// `jwt[].issuer.url` must share byte for byte (go-oidc refuses `…/x` against `…/x/`, spec §2.1 "Issuer URL").

export const DEFAULT_ISSUER_PATH = '/oidc';

/** A message when kube-apiserver would refuse the URL as `issuer.url`, or when it is ambiguous; else undefined. */
export function issuerUrlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `issuer URL ${JSON.stringify(url)} is not a URL`;
  }
  if (parsed.protocol !== 'https:') return `issuer URL ${url} must use https (kube-apiserver refuses any other scheme)`;
  if (parsed.username || parsed.password) return `issuer URL ${url} must not carry user info`;
  if (parsed.search || url.includes('?')) return `issuer URL ${url} must not have a query`;
  if (parsed.hash || url.includes('#')) return `issuer URL ${url} must not have a fragment`;
  // A trailing slash invites a configuration that differs by one byte; refuse it rather than guess.
  if (url.endsWith('/')) return `issuer URL ${url} must not end with "/" (clusters compare it byte for byte)`;
  if (parsed.href !== url && parsed.href !== `${url}/`)
    return `issuer URL ${url} is not in canonical form (${parsed.href}): clusters compare it byte for byte`;
  return undefined;
}

/** The paths under which Porthole serves the issuer's documents. */
export function issuerPaths(url: string): { discovery: string; jwks: string } {
  const base = new URL(url).pathname.replace(/\/$/, '');
  return { discovery: `${base}/.well-known/openid-configuration`, jwks: `${base}/jwks.json` };
}

/** Discovery's `jwks_uri`: under the issuer, so it is reachable wherever the issuer is (spec §2.1 "Discovery"). */
export function jwksUri(url: string): string {
  return `${url}/jwks.json`;
}

/**
 * The default issuer for a Porthole reached at `origin` (http://host:port): the same host and port under https.
 * Only the local cluster, which reads the keys in-process, can use it as is; a real cluster fetches discovery
 * and the JWKS itself, so behind TLS termination the operator sets the public https URL (--issuer-url).
 */
export function defaultIssuerUrl(origin: string): string {
  const u = new URL(origin);
  return `https://${u.host}${DEFAULT_ISSUER_PATH}`;
}
