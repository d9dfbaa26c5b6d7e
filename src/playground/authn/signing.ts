// A test issuer in the browser: a key pair generated with jose (WebCrypto), the claims YAML signed into a compact
// JWT, and the public JWKS to paste into the JWKS editor or serve from a test issuer. The private key is not
// extractable: it never leaves the page, and only its public half is ever shown.

import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { checkJwks } from '../../policy/authn/jwt.ts';
import { parseYaml } from '../yaml/parse.ts';

export type SigningAlgorithm = 'ES256' | 'RS256';
export const SIGNING_ALGORITHMS: readonly SigningAlgorithm[] = ['ES256', 'RS256'];

export interface TestIssuerKey {
  alg: SigningAlgorithm;
  /** The key id: the public key's RFC 7638 thumbprint, so the same key always has the same kid. */
  kid: string;
  privateKey: CryptoKey;
  /** The public key set, as an issuer's jwks_uri serves it. */
  jwks: { keys: JWK[] };
}

export async function generateTestIssuerKey(alg: SigningAlgorithm = 'ES256'): Promise<TestIssuerKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: false });
  const jwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(jwk);
  const jwks = { keys: [{ ...jwk, kid, alg, use: 'sig' }] };
  // Belt and braces: what is shown must be a public set the authenticator accepts.
  const problem = checkJwks(jwks);
  if (problem) throw new Error(`generated JWKS is not publishable: ${problem}`);
  return { alg, kid, privateKey, jwks };
}

export type SignedClaims =
  | {
      ok: true;
      /** The compact JWT (header {alg, kid, typ: JWT}). */
      token: string;
      /** The claims as signed (YAML integers as JSON numbers). */
      claims: Record<string, unknown>;
      /** The public JWKS, pretty-printed JSON for the JWKS editor. */
      jwksText: string;
    }
  | { ok: false; error: string };

/** Signs the claims YAML (or JSON) with the key; an error names what keeps the claims from being a JWT payload. */
export async function signClaimsYaml(claimsYaml: string, key: TestIssuerKey): Promise<SignedClaims> {
  const parsed = parseYaml('claims', claimsYaml);
  if (!parsed.ok) return { ok: false, error: parsed.diagnostics[0]?.message ?? 'the claims are not valid YAML' };
  const value = parsed.value;
  if (value === null || value === undefined || typeof value !== 'object' || Array.isArray(value))
    return { ok: false, error: 'the claims must be a mapping (a JWT payload is a JSON object)' };
  let claims: Record<string, unknown>;
  try {
    claims = jsonValue(value, '') as Record<string, unknown>;
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
  const token = await new SignJWT(claims)
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
    .sign(key.privateKey);
  return { ok: true, token, claims, jwksText: `${JSON.stringify(key.jwks, null, 2)}\n` };
}

/** A YAML value as JSON can carry it; throws naming the claim that cannot be. */
function jsonValue(v: unknown, path: string): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`claim ${path || '(root)'} is ${v}: JSON has no such number`);
    return v;
  }
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (Array.isArray(v)) return v.map((x, i) => jsonValue(x, `${path}[${i}]`));
  if (typeof v === 'object' && v.constructor === Object)
    return Object.fromEntries(
      Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, jsonValue(x, path ? `${path}.${k}` : k)]),
    );
  throw new Error(`claim ${path || '(root)'} is not a JSON value`);
}
