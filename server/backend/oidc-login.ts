// OpenID Connect login with an upstream identity provider: the authorization code flow with PKCE (S256), state
// and nonce, through `openid-client` (spec §0.1, §2.3, §4.6). Porthole is the OIDC client; the browser only
// carries a short-lived, HttpOnly transaction cookie naming a server-side record of state, nonce and PKCE
// verifier. The ID token is verified by openid-client (issuer, audience, signature, expiry, nonce), and its
// claims become the session's identity; the IdP's tokens themselves are not kept.

import * as client from 'openid-client';
import { DEFAULT_CLAIM_NAMES, identityFromClaims, safeReturnTo, type ClaimNames } from './oidc-claims.ts';
import { isLoopbackHost } from './origins.ts';
import { cookieValues, newSecret, type SessionUser } from './sessions.ts';

export const OIDC_LOGIN_PATH = '/porthole/api/oidc/login';
export const OIDC_CALLBACK_PATH = '/porthole/api/oidc/callback';

/** The transaction cookie: SameSite=Lax, because the IdP's redirect back to us is a cross-site navigation. */
export const TRANSACTION_COOKIE = 'porthole_oidc';
export const SECURE_TRANSACTION_COOKIE = `__Host-${TRANSACTION_COOKIE}`;

export interface OidcSettings {
  /** The IdP's issuer URL (its discovery document is at `<issuer>/.well-known/openid-configuration`). */
  issuerUrl: string;
  clientId: string;
  /** Absent: a public client (PKCE is then its only proof). */
  clientSecret?: string;
  /** Exactly as registered at the IdP. Default `<Porthole's URL>/porthole/api/oidc/callback`. */
  redirectUri?: string;
  /** Requested scopes; `openid` is always included. Default openid, profile, email. */
  scopes?: readonly string[];
  claims?: Partial<ClaimNames>;
}

export interface OidcLoginOptions extends OidcSettings {
  /** Porthole's own URL, for the default redirect URI. */
  origin: string;
  /** How long a login may take from redirect to callback. Default 10 min. */
  transactionTtlMs?: number;
  /** Most logins in flight at once (older ones are dropped): bounds memory under a flood of login starts. */
  maxTransactions?: number;
  now?: () => number;
}

interface Transaction {
  state: string;
  nonce: string;
  codeVerifier: string;
  returnTo: string;
  createdAt: number;
}

/** A refused callback: the browser gets this status and message, and no session exists. */
export class LoginFailed extends Error {
  constructor(
    readonly status: 400 | 403 | 502,
    message: string,
  ) {
    super(message);
    this.name = 'LoginFailed';
  }
}

/** Problems with an IdP issuer URL: https, or http only on loopback (a test or a local IdP). */
export function oidcIssuerProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `"${value}" is not a URL`;
  }
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return undefined;
  return `"${value}" must be https (plain http is accepted on loopback only)`;
}

export function transactionCookieName(secure: boolean): string {
  return secure ? SECURE_TRANSACTION_COOKIE : TRANSACTION_COOKIE;
}

function transactionCookie(id: string, secure: boolean, maxAgeSeconds: number): string {
  return (
    `${transactionCookieName(secure)}=${id}; HttpOnly; SameSite=Lax; Path=/; Max-Age=${maxAgeSeconds}` +
    (secure ? '; Secure' : '')
  );
}

export function clearedTransactionCookie(secure: boolean): string {
  return `${transactionCookieName(secure)}=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0${secure ? '; Secure' : ''}`;
}

export class OidcLogin {
  readonly redirectUri: string;
  readonly issuerUrl: string;
  private readonly scopes: string;
  private readonly claimNames: ClaimNames;
  private readonly ttlMs: number;
  private readonly maxTransactions: number;
  private readonly now: () => number;
  private readonly transactions = new Map<string, Transaction>();
  private configuration: Promise<client.Configuration> | undefined;

  constructor(private readonly options: OidcLoginOptions) {
    const problem = oidcIssuerProblem(options.issuerUrl);
    if (problem) throw new Error(`OIDC issuer: ${problem}`);
    if (options.clientId === '') throw new Error('OIDC client id must not be empty');
    this.issuerUrl = options.issuerUrl;
    this.redirectUri = options.redirectUri ?? new URL(OIDC_CALLBACK_PATH, options.origin).href;
    this.scopes = [...new Set(['openid', ...(options.scopes ?? ['profile', 'email'])])].join(' ');
    this.claimNames = { ...DEFAULT_CLAIM_NAMES, ...options.claims };
    this.ttlMs = options.transactionTtlMs ?? 10 * 60 * 1000;
    this.maxTransactions = options.maxTransactions ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  /** The IdP's metadata, fetched on first use and again after a failure (the IdP may start after Porthole). */
  private discover(): Promise<client.Configuration> {
    if (!this.configuration) {
      const url = new URL(this.options.issuerUrl);
      const auth =
        this.options.clientSecret !== undefined ? client.ClientSecretBasic(this.options.clientSecret) : client.None();
      const pending = client.discovery(url, this.options.clientId, undefined, auth, {
        ...(url.protocol === 'http:' ? { execute: [client.allowInsecureRequests] } : {}),
        timeout: 10,
      });
      this.configuration = pending;
      pending.catch(() => {
        if (this.configuration === pending) this.configuration = undefined;
      });
    }
    return this.configuration;
  }

  /** Begins a login: the IdP URL to redirect to, and the transaction cookie to set. */
  async start(returnTo: string | null, secure: boolean): Promise<{ location: string; cookie: string }> {
    let configuration: client.Configuration;
    try {
      configuration = await this.discover();
    } catch (error) {
      throw new LoginFailed(502, `the identity provider ${this.issuerUrl} is not reachable: ${describe(error)}`);
    }
    this.prune();
    const transaction: Transaction = {
      state: client.randomState(),
      nonce: client.randomNonce(),
      codeVerifier: client.randomPKCECodeVerifier(),
      returnTo: safeReturnTo(returnTo),
      createdAt: this.now(),
    };
    const id = newSecret();
    this.transactions.set(id, transaction);
    while (this.transactions.size > this.maxTransactions) {
      const oldest = this.transactions.keys().next().value;
      if (oldest === undefined) break;
      this.transactions.delete(oldest);
    }
    const location = client.buildAuthorizationUrl(configuration, {
      redirect_uri: this.redirectUri,
      scope: this.scopes,
      response_type: 'code',
      state: transaction.state,
      nonce: transaction.nonce,
      code_challenge: await client.calculatePKCECodeChallenge(transaction.codeVerifier),
      code_challenge_method: 'S256',
    });
    return { location: location.href, cookie: transactionCookie(id, secure, Math.ceil(this.ttlMs / 1000)) };
  }

  /**
   * Completes a login from the callback's query. The transaction named by the cookie is used once, whatever
   * the outcome; state, nonce and PKCE are checked by openid-client against it.
   */
  async finish(query: string, cookieHeader: string | undefined): Promise<{ user: SessionUser; returnTo: string }> {
    let transaction: Transaction | undefined;
    for (const id of [
      ...cookieValues(cookieHeader, SECURE_TRANSACTION_COOKIE),
      ...cookieValues(cookieHeader, TRANSACTION_COOKIE),
    ]) {
      const found = this.transactions.get(id);
      if (!found) continue;
      this.transactions.delete(id);
      if (this.now() - found.createdAt < this.ttlMs) transaction = found;
    }
    if (!transaction) {
      throw new LoginFailed(
        400,
        'this login is unknown or expired (it must finish in the browser that started it, within 10 minutes): start again',
      );
    }
    let configuration: client.Configuration;
    try {
      configuration = await this.discover();
    } catch (error) {
      throw new LoginFailed(502, `the identity provider ${this.issuerUrl} is not reachable: ${describe(error)}`);
    }
    const callbackUrl = new URL(this.redirectUri);
    callbackUrl.search = query;
    let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
    try {
      tokens = await client.authorizationCodeGrant(configuration, callbackUrl, {
        pkceCodeVerifier: transaction.codeVerifier,
        expectedState: transaction.state,
        expectedNonce: transaction.nonce,
        idTokenExpected: true,
      });
    } catch (error) {
      throw new LoginFailed(400, `the identity provider's answer was refused: ${describe(error)}`);
    }
    const claims = tokens.claims();
    if (!claims) throw new LoginFailed(400, 'the identity provider sent no ID token');
    const result = identityFromClaims(claims, this.claimNames);
    if (!result.ok) throw new LoginFailed(403, result.message);
    return {
      user: { method: 'oidc', identity: result.identity, displayName: result.displayName },
      returnTo: transaction.returnTo,
    };
  }

  /** Logins in flight (diagnostics and tests). */
  get pendingLogins(): number {
    this.prune();
    return this.transactions.size;
  }

  private prune(): void {
    const now = this.now();
    for (const [id, t] of this.transactions) if (now - t.createdAt >= this.ttlMs) this.transactions.delete(id);
  }
}

/**
 * An error's message, down its cause chain: openid-client wraps the precise reason ('unexpected "state" response
 * parameter value', 'unexpected JWT "nonce" (nonce) claim value') in a generic one. Only messages are used, never
 * the causes' fields, which carry the expected values and the IdP's response.
 */
function describe(error: unknown): string {
  if (error instanceof client.AuthorizationResponseError || error instanceof client.ResponseBodyError)
    return `${error.error}${error.error_description ? `: ${error.error_description}` : ''}`;
  const messages: string[] = [];
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    if (e instanceof client.ResponseBodyError) {
      messages.push(`${e.error}${e.error_description ? `: ${e.error_description}` : ''}`);
      break;
    }
    messages.push(e.message);
  }
  return messages.length > 0 ? messages.join(': ') : String(error);
}
