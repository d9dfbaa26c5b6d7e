// One signing key: ES256 by default, RS256 (3072-bit) where a legacy or managed integration needs it (spec §2.1
// "Algorithms"), named by its RFC 7638 thumbprint so the `kid` is derived from the key and never collides.

import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';

export const SIGNING_ALGORITHMS = ['ES256', 'RS256'] as const;
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

export function isSigningAlgorithm(value: unknown): value is SigningAlgorithm {
  return typeof value === 'string' && (SIGNING_ALGORITHMS as readonly string[]).includes(value);
}

/** The JWK members a public key may publish (spec §6 B2); everything else is dropped from the JWKS. */
const PUBLIC_MEMBERS: Record<'EC' | 'RSA', readonly string[]> = {
  EC: ['kty', 'crv', 'x', 'y'],
  RSA: ['kty', 'n', 'e'],
};

export interface SigningKey {
  /** RFC 7638 SHA-256 thumbprint of the public key. */
  readonly kid: string;
  readonly alg: SigningAlgorithm;
  /** Never leaves the process except into the key file. */
  readonly privateKey: CryptoKey;
  /** The private JWK, for the key file only. */
  readonly privateJwk: JWK;
  /** What the JWKS publishes: public members plus kid, alg and use. */
  readonly publicJwk: JWK;
}

/**
 * Copies only the public members of a JWK. Built by allow-list, not by deleting `d`, `p`, `q`…: a member we did
 * not think of can never slip through (spec §4.9 last item).
 */
export function publicMembers(jwk: JWK): JWK {
  const kty: 'EC' | 'RSA' | undefined = jwk.kty === 'EC' ? 'EC' : jwk.kty === 'RSA' ? 'RSA' : undefined;
  if (!kty) throw new Error(`unsupported key type ${JSON.stringify(jwk.kty)}`);
  const out: Record<string, unknown> = {};
  for (const member of PUBLIC_MEMBERS[kty]) {
    const value = (jwk as Record<string, unknown>)[member];
    if (typeof value !== 'string') throw new Error(`${kty} key lacks its "${member}" member`);
    out[member] = value;
  }
  return out as JWK;
}

/** Builds a SigningKey from a private JWK (from the key file or a fresh key pair). */
export async function signingKeyFromJwk(privateJwk: JWK, alg: SigningAlgorithm): Promise<SigningKey> {
  if (alg === 'ES256' && (privateJwk.kty !== 'EC' || privateJwk.crv !== 'P-256'))
    throw new Error('an ES256 key must be an EC P-256 key');
  if (alg === 'RS256' && privateJwk.kty !== 'RSA') throw new Error('an RS256 key must be an RSA key');
  if (typeof privateJwk.d !== 'string') throw new Error('the key has no private part ("d")');
  const pub = publicMembers(privateJwk);
  const kid = await calculateJwkThumbprint(pub, 'sha256');
  const privateKey = (await importJWK({ ...privateJwk, alg }, alg)) as CryptoKey;
  return {
    kid,
    alg,
    privateKey,
    privateJwk: { ...privateJwk },
    publicJwk: { ...pub, kid, alg, use: 'sig' },
  };
}

export async function generateSigningKey(alg: SigningAlgorithm = 'ES256'): Promise<SigningKey> {
  // 3072-bit RSA, as the spec prefers for RS256 (§2.1 "Algorithms").
  const { privateKey } = await generateKeyPair(alg, {
    extractable: true,
    ...(alg === 'RS256' ? { modulusLength: 3072 } : {}),
  });
  return signingKeyFromJwk(await exportJWK(privateKey), alg);
}
