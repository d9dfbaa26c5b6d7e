// A cluster-side token authenticator that runs an AuthenticationConfiguration through src/policy/authn — the
// same code as the playground — with the issuer's JWKS handed over in-process. The local cluster uses it to trust
// Porthole's issuer exactly as a real kube-apiserver configured with the README's entry would.

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
}

export class ConfigurationAuthenticator implements TokenAuthenticator {
  private config: AuthenticationConfiguration | undefined;
  private readonly version: string;
  private readonly now: () => number;

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
  }

  get configured(): boolean {
    return this.config !== undefined;
  }

  async authenticateToken(token: string): Promise<UserInfo | null> {
    if (!this.config || token.length > MAX_TOKEN_BYTES) return null;
    const result = await authenticate({
      config: this.config,
      version: this.version,
      now: this.now(),
      token,
      jwks: this.options.jwks.jwks(),
    });
    if (!result.authenticated) {
      if (result.error !== null) this.options.log?.(`authentication configuration: token refused: ${result.error}`);
      return null;
    }
    const user = result.effectiveUser;
    return {
      username: user.username,
      ...(user.uid ? { uid: user.uid } : {}),
      groups: user.groups ?? [],
      ...(user.extra ? { extra: user.extra } : {}),
    };
  }
}
