// JWT plumbing for the authenticator: go-oidc's pre-parse of the payload (strict unpadded base64url), the
// compact-JWS header, the allowed algorithms, a JWKS sanity check, and signature verification with jose.

import { compactVerify, importJWK, type JWK } from 'jose';

/** The algorithms every structured-config JWT authenticator accepts (signing algs are not configurable). */
export const SUPPORTED_ALGORITHMS = ['ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512', 'RS256', 'RS384', 'RS512'];

/** Go's net/http default MaxHeaderBytes (1 MiB), which kube-apiserver's secure server keeps. */
export const MAX_TOKEN_BYTES = 1 << 20;

/** base64.RawURLEncoding.DecodeString: no padding, URL alphabet only; undefined when Go would fail. */
export function decodeRawURL(s: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(s) || s.length % 4 === 1) return undefined;
  const b64 = s.replace(/-/g, '+').replace(/_/g, '/');
  try {
    const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
    return Uint8Array.from(bin, (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}

export function utf8(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}

export function encodeRawURL(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Splits a compact JWT as go-oidc does before verification; undefined = "not a JWT for this authenticator". */
export function prematch(token: string): { payload: Record<string, unknown> } | undefined {
  if (token.trim().startsWith('{')) return undefined;
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const bytes = decodeRawURL(parts[1]!);
  if (!bytes) return undefined;
  try {
    const payload: unknown = JSON.parse(utf8(bytes));
    if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return undefined;
    return { payload: payload as Record<string, unknown> };
  } catch {
    return undefined;
  }
}

export type HeaderResult = { ok: true; header: Record<string, unknown> } | { ok: false; error: string };

/** go-jose ParseSigned's view of the protected header. */
export function parseHeader(token: string, josePrefix: string): HeaderResult {
  const part = token.split('.')[0] ?? '';
  const bytes = decodeRawURL(part);
  if (!bytes) return { ok: false, error: `illegal base64 data at input byte ${firstBadByte(part)}` };
  try {
    const h: unknown = JSON.parse(utf8(bytes));
    if (h === null || typeof h !== 'object' || Array.isArray(h))
      return { ok: false, error: `${josePrefix}: invalid protected header` };
    return { ok: true, header: h as Record<string, unknown> };
  } catch (e) {
    return { ok: false, error: `${josePrefix}: ${(e as Error).message}` };
  }
}

function firstBadByte(s: string): number {
  const i = s.search(/[^A-Za-z0-9_-]/);
  return i >= 0 ? i : s.length;
}

/** JWK members that only a private or symmetric key has. */
export const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

export interface JWKS {
  keys: JWK[];
}

/** Checks a pasted JWKS; a message when it is not a public-key set kube-apiserver could fetch. */
export function checkJwks(jwks: unknown): string | undefined {
  if (jwks === null || typeof jwks !== 'object' || !Array.isArray((jwks as { keys?: unknown }).keys))
    return 'JWKS must be a JSON object with a "keys" array';
  const keys = (jwks as JWKS).keys;
  for (const [i, k] of keys.entries()) {
    if (k === null || typeof k !== 'object') return `JWKS keys[${i}] is not an object`;
    const priv = PRIVATE_MEMBERS.filter((m) => m in k);
    if (priv.length)
      return `JWKS keys[${i}] holds private key material (${priv.join(', ')}): paste the issuer's public keys only, never a private or symmetric key`;
    if (k.kty !== 'RSA' && k.kty !== 'EC')
      return `JWKS keys[${i}] has kty ${JSON.stringify(k.kty ?? null)}: only RSA and EC keys can verify ${SUPPORTED_ALGORITHMS.join(' ')}`;
  }
  return undefined;
}

/** go-oidc: try every key whose kid matches (all keys when the token has none); true when one verifies. */
export async function verifySignature(
  token: string,
  alg: string,
  kid: string | undefined,
  jwks: JWKS,
): Promise<boolean> {
  for (const key of jwks.keys) {
    if (kid && key.kid !== kid) continue;
    if (key.alg && key.alg !== alg) continue;
    try {
      const k = await importJWK({ ...key, alg }, alg);
      await compactVerify(token, k, { algorithms: [alg] });
      return true;
    } catch {
      // go-jose: a key of the wrong type or a bad signature is just "not this key".
    }
  }
  return false;
}
