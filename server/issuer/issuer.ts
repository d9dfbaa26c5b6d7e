// Porthole's issuer, assembled: the issuer URL, the key store, the minter with its per-(session, cluster)
// cache, and the two public routes. The backend holds one of these and asks it for a cluster credential.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { discoveryDocument, jwksDocument, sendIssuerDocument } from './discovery.ts';
import type { LoginIdentity } from './identity.ts';
import { issuerPaths, issuerUrlProblem } from './issuer-url.ts';
import type { KeyStore } from './key-store.ts';
import { MintRateLimited, TokenMinter, type MintedToken } from './mint.ts';
import { RateLimiter } from '../backend/rate-limit.ts';
import { TokenCache } from './token-cache.ts';
import { trustConfigurationYaml, type TrustOptions } from './trust-config.ts';

export interface IssuerOptions {
  /** The https issuer URL, byte for byte what clusters configure. */
  url: string;
  keys: KeyStore;
  lifetimeSeconds?: number;
  refreshBeforeSeconds?: number;
  /** Unix seconds. */
  now: () => number;
  /** Most tokens minted per session per minute (cached ones do not count); more are refused. Default 30. */
  mintsPerMinute?: number;
}

export class Issuer {
  readonly url: string;
  readonly keys: KeyStore;
  readonly minter: TokenMinter;
  private readonly cache: TokenCache;
  private readonly paths: { discovery: string; jwks: string };
  private readonly now: () => number;

  constructor(options: IssuerOptions) {
    const problem = issuerUrlProblem(options.url);
    if (problem) throw new Error(problem);
    this.url = options.url;
    this.keys = options.keys;
    this.now = options.now;
    this.paths = issuerPaths(options.url);
    const mints = new RateLimiter({
      limit: options.mintsPerMinute ?? 30,
      windowMs: 60_000,
      now: () => options.now() * 1000,
    });
    this.minter = new TokenMinter({
      issuer: options.url,
      ring: options.keys.ring,
      now: options.now,
      ...(options.lifetimeSeconds !== undefined ? { lifetimeSeconds: options.lifetimeSeconds } : {}),
    });
    this.cache = new TokenCache({
      minter: this.minter,
      ring: options.keys.ring,
      now: options.now,
      ...(options.refreshBeforeSeconds !== undefined ? { refreshBeforeSeconds: options.refreshBeforeSeconds } : {}),
      beforeMint: ({ sessionId }) => {
        if (mints.take(sessionId) !== undefined)
          throw new MintRateLimited(`Porthole will not mint more than ${mints.limit} tokens a minute for one session`);
      },
    });
  }

  /** The token for this session on this cluster: cached while fresh, re-minted before it expires. */
  token(sessionId: string, identity: LoginIdentity, audience: string): Promise<MintedToken> {
    return this.cache.token({ sessionId, identity, audience });
  }

  /** How many (session, cluster) tokens are cached (diagnostics and tests). */
  get cachedTokens(): number {
    return this.cache.size;
  }

  /** A session ended: its cached tokens are never handed out again. */
  forgetSession(sessionId: string): void {
    this.cache.forgetSession(sessionId);
  }

  jwks(): ReturnType<typeof jwksDocument> {
    return jwksDocument(this.keys.ring, this.now());
  }

  /** The AuthenticationConfiguration a cluster with this audience needs to trust the issuer. */
  trustConfigurationYaml(options: Omit<TrustOptions, 'issuer'>, apiVersion?: string): string {
    return trustConfigurationYaml({ ...options, issuer: this.url }, apiVersion);
  }

  /** Serves discovery and the JWKS; false when the path is neither (the caller goes on routing). */
  serve(req: IncomingMessage, res: ServerResponse, pathname: string): boolean {
    const body =
      pathname === this.paths.discovery
        ? discoveryDocument(this.url, this.keys.ring, this.now())
        : pathname === this.paths.jwks
          ? this.jwks()
          : undefined;
    if (body === undefined) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Cache-Control': 'no-store' });
      res.end();
      return true;
    }
    sendIssuerDocument(res, body, req.method === 'HEAD');
    return true;
  }
}
