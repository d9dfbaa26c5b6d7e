// A fixed-window counter per key (client address, session): at most `limit` events per `windowMs`. Used on
// login, OIDC login starts, token minting and WebSocket upgrades (token-broker-security §4.7, §6 A22). Memory is
// bounded: windows that ended are dropped, and past `maxKeys` live keys the oldest go first.

export interface RateLimitOptions {
  limit: number;
  windowMs: number;
  maxKeys?: number;
  now?: () => number;
}

export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();
  private readonly maxKeys: number;
  private readonly now: () => number;

  constructor(private readonly options: RateLimitOptions) {
    if (!(options.limit >= 1 && options.windowMs > 0)) throw new Error('a rate limit needs limit ≥ 1 and windowMs > 0');
    this.maxKeys = options.maxKeys ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  get limit(): number {
    return this.options.limit;
  }

  /** Without counting: undefined when `key` may go on, else the milliseconds until its window ends. */
  retryAfter(key: string): number | undefined {
    const window = this.windows.get(key);
    const now = this.now();
    if (!window || now - window.start >= this.options.windowMs || window.count < this.options.limit) return undefined;
    return window.start + this.options.windowMs - now;
  }

  /** Counts one event for `key`: undefined when allowed, else the milliseconds until the window ends. */
  take(key: string): number | undefined {
    const now = this.now();
    let window = this.windows.get(key);
    if (!window || now - window.start >= this.options.windowMs) {
      this.windows.delete(key);
      window = { start: now, count: 0 };
      this.windows.set(key, window);
      this.prune(now);
    }
    if (window.count >= this.options.limit) return window.start + this.options.windowMs - now;
    window.count++;
    return undefined;
  }

  private prune(now: number): void {
    if (this.windows.size <= this.maxKeys) return;
    for (const [key, w] of this.windows) {
      if (this.windows.size <= this.maxKeys) break;
      if (now - w.start >= this.options.windowMs || this.windows.size > this.maxKeys) this.windows.delete(key);
    }
  }
}

export interface RateLimits {
  /**
   * Per client address per minute: failed login-token attempts (a correct one is never counted, so a person
   * who opens the link many times is not locked out), and OIDC login starts and callbacks. Default 20.
   */
  loginsPerMinute: number;
  /** Tokens minted per session per minute (cached tokens do not count). Default 30. */
  mintsPerMinute: number;
  /** exec/attach upgrades per session per minute. Default 60 (a page opens one per terminal tab). */
  upgradesPerMinute: number;
}

export const DEFAULT_RATE_LIMITS: RateLimits = { loginsPerMinute: 20, mintsPerMinute: 30, upgradesPerMinute: 60 };
