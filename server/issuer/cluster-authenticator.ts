// A cluster-side token authenticator that runs an AuthenticationConfiguration through src/policy/authn — the
// same code as the playground — with the issuer's JWKS handed over in-process. The local cluster uses it to trust
// Porthole's issuer exactly as a real kube-apiserver configured with the README's entry would.

import { createHash } from 'node:crypto';
import {
  authenticate,
  loadAuthenticationConfiguration,
  validateAuthenticationConfiguration,
  DEFAULT_VERSION,
  MAX_TOKEN_BYTES,
  type AuthenticationConfiguration,
} from '../../src/policy/authn/index.ts';
import type { TokenAuthenticator, UserInfo } from '../local-cluster/authentication.ts';

export interface JwksSource {
  /** The issuer's current JWKS (public keys). */
  jwks(): unknown;
}

export interface ConfigurationAuthenticatorOptions {
  /** Kubernetes version whose behaviour to follow. Default: the newest the core knows. */
  version?: string;
  jwks: JwksSource;
  /** Unix seconds. */
  now?: () => number;
  /** Why a token was refused, as kube-apiserver logs it (the error, never the token). */
  log?: (line: string) => void;
  /** Seconds a successful authentication is remembered (kube-apiserver --token-success-cache-ttl). Default 10. */
  successCacheSeconds?: number;
}

const MAX_CACHED = 1024;

export class ConfigurationAuthenticator implements TokenAuthenticator {
  private config: AuthenticationConfiguration | undefined;
  private readonly version: string;
  private readonly now: () => number;
  /** sha256(token) → user and until when; keyed by a digest so the map never holds a credential. */
  private readonly successes = new Map<string, { user: UserInfo; until: number }>();

  constructor(private readonly options: ConfigurationAuthenticatorOptions) {
    this.version = options.version ?? DEFAULT_VERSION;
    this.now = options.now ?? (() => Math.floor(Date.now() / 1000));
  }

  /**
   * Loads and validates a configuration file's text, as kube-apiserver does at start and on reload; throws with
   * its message when the file is refused, keeping the previous configuration.
   */
  configure(text: string): void {
    const loaded = loadAuthenticationConfiguration(text, this.version);
    if (!loaded.ok) throw new Error(`authentication configuration: ${loaded.error}`);
    const validated = validateAuthenticationConfiguration(loaded.config, { version: this.version });
    if (validated.error) throw new Error(validated.error);
    this.config = loaded.config;
    this.successes.clear();
  }

  get configured(): boolean {
    return this.config !== undefined;
  }

  async authenticateToken(token: string): Promise<UserInfo | null> {
    if (!this.config || token.length > MAX_TOKEN_BYTES) return null;
    const now = this.now();
    const digest = createHash('sha256').update(token, 'utf8').digest('base64url');
    const hit = this.successes.get(digest);
    if (hit && now < hit.until) return hit.user;
    const result = await authenticate({
      config: this.config,
      version: this.version,
      now,
      token,
      jwks: this.options.jwks.jwks(),
    });
    if (!result.authenticated) {
      if (result.error !== null) this.options.log?.(`authentication configuration: token refused: ${result.error}`);
      return null;
    }
    const effective = result.effectiveUser;
    const user: UserInfo = {
      username: effective.username,
      ...(effective.uid ? { uid: effective.uid } : {}),
      groups: effective.groups ?? [],
      ...(effective.extra ? { extra: effective.extra } : {}),
    };
    // kube-apiserver's 10 s success cache, but never past the token's own expiry (the run checked `exp` ≥ now).
    const expiry = result.trace.find((t) => t.step === 'expiry')?.value;
    const exp = typeof expiry === 'number' ? expiry : now;
    const ttl = this.options.successCacheSeconds ?? 10;
    if (ttl > 0) {
      if (this.successes.size >= MAX_CACHED) this.successes.clear();
      this.successes.set(digest, { user, until: Math.min(now + ttl, exp + 1) });
    }
    return user;
  }
}
