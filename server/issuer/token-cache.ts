// Tokens cached per (session, cluster), so a page's many requests cost one signature per few minutes, and
// re-minted before they expire: a token is reused only while it has at least `refreshBeforeSeconds` left (enough
// for the request in flight to reach the cluster), and never after the signing key changed (a rotation
// takes effect at once, which is what a rotation after a compromise needs).

import type { KeyRing } from './key-ring.ts';
import type { MintedToken, MintRequest, TokenMinter } from './mint.ts';

export interface TokenCacheOptions {
  minter: TokenMinter;
  ring: KeyRing;
  now: () => number;
  /** Re-mint when fewer seconds than this remain. Default 60. */
  refreshBeforeSeconds?: number;
  /** Called before each real mint (not for a cached token); throws to refuse it (a rate limit). */
  beforeMint?: (request: MintRequest) => void;
}

export class TokenCache {
  private readonly entries = new Map<string, Promise<MintedToken>>();
  private readonly refreshBefore: number;

  constructor(private readonly options: TokenCacheOptions) {
    this.refreshBefore = options.refreshBeforeSeconds ?? 60;
    if (this.refreshBefore >= options.minter.lifetimeSeconds)
      throw new Error('refreshBeforeSeconds must be shorter than the token lifetime');
  }

  /** A token for this session and cluster audience: the cached one while fresh, else a new one. */
  async token(request: MintRequest): Promise<MintedToken> {
    const key = cacheKey(request.sessionId, request.audience);
    const cached = this.entries.get(key);
    if (cached) {
      const minted = await cached.catch(() => undefined);
      const now = this.options.now();
      if (
        minted &&
        minted.expiresAt - now >= this.refreshBefore &&
        minted.kid === this.options.ring.signingKey(now).kid
      )
        return minted;
      if (this.entries.get(key) !== cached) return this.token(request);
    }
    // One mint in flight per key: concurrent requests share it.
    this.options.beforeMint?.(request);
    const pending = this.options.minter.mint(request);
    this.entries.set(key, pending);
    pending.catch(() => {
      if (this.entries.get(key) === pending) this.entries.delete(key);
    });
    return pending;
  }

  /** Drops a session's tokens (logout, expiry): they are not handed out again. */
  forgetSession(sessionId: string): void {
    const prefix = `${sessionId}\0`;
    for (const key of [...this.entries.keys()]) if (key.startsWith(prefix)) this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}

function cacheKey(sessionId: string, audience: string): string {
  return `${sessionId}\0${audience}`;
}
