// From a verified ID token's claims to the identity a Porthole session speaks for, and the checks on a login's
// `returnTo`. Pure functions: the OpenID Connect exchange itself is in oidc-login.ts.

import { identityProblem, type LoginIdentity } from '../issuer/identity.ts';

export interface ClaimNames {
  /** The claim that becomes the minted `sub` (and, prefixed by the cluster, the Kubernetes username). */
  username: string;
  /** The claim holding the groups (a list of strings, or one string). */
  groups: string;
}

export const DEFAULT_CLAIM_NAMES: ClaimNames = { username: 'sub', groups: 'groups' };

export type ClaimsResult = { ok: true; identity: LoginIdentity; displayName: string } | { ok: false; message: string };

/**
 * The identity of an ID token, with kube-apiserver's own rules for OIDC claims where they apply: the username
 * claim must be a non-empty string, `email` only counts when `email_verified` is true, and a groups claim may be
 * an array of strings or a single string. Porthole's minting rules (no `system:` names) are checked here too,
 * so such a login makes no session at all.
 */
export function identityFromClaims(claims: Readonly<Record<string, unknown>>, names: ClaimNames): ClaimsResult {
  const username = claims[names.username];
  if (typeof username !== 'string' || username === '') {
    return { ok: false, message: `the ID token has no string claim "${names.username}" to use as the username` };
  }
  if (names.username === 'email' && claims.email_verified !== true) {
    return { ok: false, message: 'the ID token\'s e-mail address is not verified ("email_verified" is not true)' };
  }
  const rawGroups = claims[names.groups];
  let groups: string[];
  if (rawGroups === undefined || rawGroups === null) groups = [];
  else if (typeof rawGroups === 'string') groups = [rawGroups];
  else if (Array.isArray(rawGroups) && rawGroups.every((g): g is string => typeof g === 'string')) groups = rawGroups;
  else
    return { ok: false, message: `the ID token's "${names.groups}" claim is neither a string nor a list of strings` };
  const identity: LoginIdentity = { subject: username, groups: [...new Set(groups)] };
  const problem = identityProblem(identity);
  if (problem) return { ok: false, message: `Porthole refuses this login: ${problem}` };
  return { ok: true, identity, displayName: displayNameOf(claims, username) };
}

function displayNameOf(claims: Readonly<Record<string, unknown>>, fallback: string): string {
  for (const key of ['preferred_username', 'name', 'email']) {
    const value = claims[key];
    // eslint-disable-next-line no-control-regex
    if (typeof value === 'string' && value !== '' && value.length <= 256 && !/[\u0000-\u001f\u007f]/.test(value))
      return value;
  }
  return fallback;
}

/**
 * Where to send the browser after login: a path on this origin, or `/`. Open redirects through login are a
 * known hole (oauth2-proxy CVE-2020-5233, CVE-2020-4037; spec §6 C3): `//evil`, `/\evil`, absolute URLs,
 * `javascript:` and encoded variants all become `/`.
 */
export function safeReturnTo(raw: string | null | undefined): string {
  if (!raw || raw.length > 2048 || !raw.startsWith('/')) return '/';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(raw)) return '/';
  if (raw.startsWith('//')) return '/';
  let decoded = raw;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return '/';
  }
  if (decoded.startsWith('//') || decoded.includes('\\')) return '/';
  const base = 'http://porthole.invalid';
  const url = new URL(raw, base);
  if (url.origin !== base) return '/';
  return url.pathname + url.search + url.hash;
}
