// Minting: one JWT for one (login, cluster), signed with the key ring's current key (spec §0.2, §2.1 minting
// sketch, §4.4): audience = that cluster only, lifetime ≤ 5 min, nbf backdated 30 s, unique jti, the public
// session id as `sid`, `kid` in the header. The token is returned to the caller and never logged.

import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { identityProblem, type LoginIdentity } from './identity.ts';
import type { KeyRing } from './key-ring.ts';
import { MAX_TOKEN_LIFETIME_SECONDS, NOT_BEFORE_BACKDATE_SECONDS } from './lifetimes.ts';
import { publicSessionId } from './session-id.ts';

export interface MintRequest {
  /** The server-side session id (the cookie value); only its digest enters the token. */
  sessionId: string;
  identity: LoginIdentity;
  /** The cluster's audience, e.g. `porthole:local`. */
  audience: string;
}

export interface MintedToken {
  /** The compact JWT: a credential. Inject it upstream; never log it, never send it to the browser. */
  readonly token: string;
  readonly kid: string;
  readonly jti: string;
  readonly sid: string;
  readonly issuedAt: number;
  readonly expiresAt: number;
}

export class MintRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MintRefused';
  }
}

/** A refusal because the session asked for too many tokens too fast (answered 429). */
export class MintRateLimited extends MintRefused {
  constructor(message: string) {
    super(message);
    this.name = 'MintRateLimited';
  }
}

export interface MinterOptions {
  issuer: string;
  ring: KeyRing;
  /** Token lifetime in seconds, at most 300. Default 300. */
  lifetimeSeconds?: number;
  /** Unix seconds. */
  now: () => number;
}

export class TokenMinter {
  readonly lifetimeSeconds: number;
  constructor(private readonly options: MinterOptions) {
    const lifetime = options.lifetimeSeconds ?? MAX_TOKEN_LIFETIME_SECONDS;
    if (!(Number.isInteger(lifetime) && lifetime >= 60 && lifetime <= MAX_TOKEN_LIFETIME_SECONDS))
      throw new Error(`token lifetime must be 60 to ${MAX_TOKEN_LIFETIME_SECONDS} seconds, not ${lifetime}`);
    this.lifetimeSeconds = lifetime;
  }

  get issuer(): string {
    return this.options.issuer;
  }

  async mint(request: MintRequest): Promise<MintedToken> {
    const problem = identityProblem(request.identity);
    if (problem) throw new MintRefused(`Porthole will not mint a token: ${problem}`);
    if (request.audience === '') throw new MintRefused('Porthole will not mint a token without an audience');
    const now = this.options.now();
    const key = this.options.ring.signingKey(now);
    const jti = randomUUID();
    const sid = publicSessionId(request.sessionId);
    const expiresAt = now + this.lifetimeSeconds;
    const token = await new SignJWT({ groups: [...request.identity.groups], sid })
      .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
      .setIssuer(this.options.issuer)
      .setSubject(request.identity.subject)
      .setAudience([request.audience])
      .setIssuedAt(now)
      .setNotBefore(now - NOT_BEFORE_BACKDATE_SECONDS)
      .setExpirationTime(expiresAt)
      .setJti(jti)
      .sign(key.privateKey);
    return { token, kid: key.kid, jti, sid, issuedAt: now, expiresAt };
  }
}
