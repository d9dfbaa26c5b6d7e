// The two public documents of the issuer: OpenID discovery and the JWKS (spec §6 B1, B2). Both are built from
// memory on every request (cheap: anyone can make a cluster refetch the JWKS, spec §2.1 consequence 3), carry no
// secret, and carry a Cache-Control short enough that a caching verifier sees a rotated key before it signs.

import type { ServerResponse } from 'node:http';
import type { JWK } from 'jose';
import type { KeyRing } from './key-ring.ts';
import { jwksUri } from './issuer-url.ts';
import { JWKS_MAX_AGE_SECONDS } from './lifetimes.ts';

/** The claims a minted token carries (discovery `claims_supported`). */
export const MINTED_CLAIMS = ['iss', 'sub', 'aud', 'exp', 'iat', 'nbf', 'jti', 'sid', 'groups'];

export interface DiscoveryDocument {
  issuer: string;
  jwks_uri: string;
  response_types_supported: string[];
  subject_types_supported: string[];
  id_token_signing_alg_values_supported: string[];
  claims_supported: string[];
}

/**
 * The discovery document. Like Kubernetes' own service-account issuer it lists only what a verifier needs:
 * Porthole mints tokens and has no authorization endpoint for clients to use.
 */
export function discoveryDocument(issuer: string, ring: KeyRing, now: number): DiscoveryDocument {
  return {
    issuer,
    jwks_uri: jwksUri(issuer),
    response_types_supported: ['id_token'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ring.algorithms(now),
    claims_supported: MINTED_CLAIMS,
  };
}

export function jwksDocument(ring: KeyRing, now: number): { keys: JWK[] } {
  return ring.jwks(now);
}

/**
 * Cache-Control of both documents: `max-age` no longer than the pre-publish wait, so a cached copy always has
 * the next key before it signs; `must-revalidate` so a stale copy is not served past that.
 */
export const ISSUER_CACHE_CONTROL = `public, max-age=${JWKS_MAX_AGE_SECONDS}, must-revalidate`;

export function sendIssuerDocument(res: ServerResponse, body: unknown, head: boolean): void {
  const text = JSON.stringify(body);
  res.writeHead(200, {
    'Content-Type': 'application/json',
    'Content-Length': String(Buffer.byteLength(text)),
    'Cache-Control': ISSUER_CACHE_CONTROL,
  });
  res.end(head ? undefined : text);
}
