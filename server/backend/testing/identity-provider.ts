// A real OpenID Provider for tests, on loopback: `oidc-provider` (a certified implementation) with one client
// and a login form of our own (username and password against a fixed account table). Consent is granted on
// login for the one client, as a first-party IdP does. Also a cookie-jar walker that logs in without a browser,
// for the unit tests of the callback's checks.

import { generateKeyPairSync } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type ProviderContext } from 'oidc-provider';

export interface TestAccount {
  password: string;
  /** Claims besides `sub` (which is the account id): name, preferred_username, email, groups… */
  claims: Record<string, unknown>;
}

export interface IdentityProviderOptions {
  accounts: Record<string, TestAccount>;
  clientId?: string;
  /** Absent: a public client (token_endpoint_auth_method none; PKCE then is its only proof). */
  clientSecret?: string;
}

export interface TestIdentityProvider {
  /** The issuer URL, http://127.0.0.1:PORT */
  readonly issuer: string;
  readonly clientId: string;
  /** Builds the provider with the client's redirect URI (known only once Porthole listens). */
  configure(redirectUri: string): void;
  /** Successful logins at the form (for tests that count them). */
  readonly logins: number;
  close(): Promise<void>;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', reject);
  });
}

function loginForm(uid: string, error?: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Test IdP sign-in</title></head><body>
<h1>Test IdP sign-in</h1>
${error ? `<p role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/interaction/${escapeHtml(uid)}/login">
<label>Username <input name="username" autocomplete="username" autofocus></label>
<label>Password <input name="password" type="password" autocomplete="current-password"></label>
<button type="submit">Sign in</button>
</form></body></html>`;
}

export async function startIdentityProvider(options: IdentityProviderOptions): Promise<TestIdentityProvider> {
  const clientId = options.clientId ?? 'porthole';
  let provider: Provider | undefined;
  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  let logins = 0;

  async function interaction(req: IncomingMessage, res: ServerResponse, p: Provider): Promise<void> {
    const details = await p.interactionDetails(req, res);
    const html = (status: number, body: string) => {
      res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(body);
    };
    if (details.prompt.name !== 'login') return html(501, `prompt ${details.prompt.name} is not implemented`);
    if (req.method === 'GET') return html(200, loginForm(details.uid));
    const form = await readForm(req);
    const username = form.get('username') ?? '';
    const account = Object.hasOwn(options.accounts, username) ? options.accounts[username] : undefined;
    if (!account || account.password !== (form.get('password') ?? '')) {
      return html(200, loginForm(details.uid, 'Unknown user or wrong password'));
    }
    logins++;
    await p.interactionFinished(req, res, { login: { accountId: username } }, { mergeWithLastSubmission: false });
  }

  const server = createServer((req, res) => {
    if (!provider || !handler) {
      res.writeHead(503).end('the test identity provider is not configured yet');
      return;
    }
    const p = provider;
    if ((req.url ?? '').startsWith('/interaction/')) {
      interaction(req, res, p).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(400, { 'Content-Type': 'text/plain' });
        res.end(`interaction failed: ${String(error)}`);
      });
      return;
    }
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const signingKey = { ...privateKey.export({ format: 'jwk' }), alg: 'ES256', use: 'sig', kid: 'test-idp-1' };

  return {
    issuer,
    clientId,
    get logins() {
      return logins;
    },
    configure(redirectUri: string) {
      provider = new Provider(issuer, {
        clients: [
          {
            client_id: clientId,
            ...(options.clientSecret !== undefined
              ? { client_secret: options.clientSecret, token_endpoint_auth_method: 'client_secret_basic' }
              : { token_endpoint_auth_method: 'none' }),
            redirect_uris: [redirectUri],
            response_types: ['code'],
            grant_types: ['authorization_code'],
            id_token_signed_response_alg: 'ES256',
          },
        ],
        jwks: { keys: [signingKey] },
        findAccount: (_ctx: unknown, id: string) => {
          const account = Object.hasOwn(options.accounts, id) ? options.accounts[id] : undefined;
          return account ? { accountId: id, claims: () => ({ ...account.claims, sub: id }) } : undefined;
        },
        claims: {
          openid: ['sub'],
          profile: ['name', 'preferred_username'],
          email: ['email', 'email_verified'],
          groups: ['groups'],
        },
        // Claims of the granted scopes go into the ID token too (as Dex, Keycloak and most IdPs put groups there).
        conformIdTokenClaims: false,
        features: { devInteractions: { enabled: false } },
        interactions: { url: (_ctx: unknown, i: { uid: string }) => `/interaction/${i.uid}` },
        // First-party client: consent is implied by the login.
        loadExistingGrant: async (ctx: ProviderContext & { oidc: { params?: Record<string, unknown> } }) => {
          const { oidc } = ctx;
          const clientIdOf = oidc.client?.clientId ?? '';
          const existing = oidc.result?.consent?.grantId ?? oidc.session?.grantIdFor(clientIdOf);
          if (existing) return oidc.provider.Grant.find(existing);
          const accountId = oidc.session?.accountId;
          if (!accountId) return undefined;
          const grant = new oidc.provider.Grant({ accountId, clientId: clientIdOf });
          grant.addOIDCScope(String(oidc.params?.scope ?? 'openid'));
          await grant.save();
          return grant;
        },
        cookies: { keys: ['porthole-test-idp-cookie-key'] },
        ttl: { AuthorizationCode: 60, Interaction: 600, Grant: 3600, Session: 3600, AccessToken: 300, IdToken: 300 },
        pkce: { required: () => true },
      });
      handler = provider.callback();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A cookie jar that ignores paths and domains: each test walker talks to one IdP and one Porthole. */
export class CookieJar {
  private readonly cookies = new Map<string, string>();
  take(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq < 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (/;\s*max-age=0\b/i.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

export interface WalkedLogin {
  /** Porthole's Set-Cookie headers from the login start (the transaction cookie). */
  startCookies: string[];
  /** `name=value` of the transaction cookie, for the callback. */
  transactionCookie: string;
  /** The authorization URL Porthole redirected to. */
  authorizationUrl: URL;
  /** The callback URL the IdP redirected back to (code, state, iss), not yet visited. */
  callbackUrl: URL;
}

/**
 * Walks a login up to the IdP's redirect back to Porthole, without a browser: Porthole's login start, the
 * authorization request (optionally tampered with), the IdP's form. The test then visits the callback itself.
 */
export async function walkLogin(
  portholeOrigin: string,
  credentials: { username: string; password: string },
  options: { tamper?: (authorizationUrl: URL) => URL; returnTo?: string; cookie?: string } = {},
): Promise<WalkedLogin> {
  const start = await fetch(
    `${portholeOrigin}/porthole/api/oidc/login${options.returnTo !== undefined ? `?returnTo=${encodeURIComponent(options.returnTo)}` : ''}`,
    { redirect: 'manual', headers: options.cookie ? { Cookie: options.cookie } : {} },
  );
  if (start.status !== 303) throw new Error(`login start answered ${start.status}: ${await start.text()}`);
  const startCookies = start.headers.getSetCookie();
  const transactionCookie = (startCookies[0] ?? '').split(';')[0] ?? '';
  const authorizationUrl = new URL(start.headers.get('location') ?? '');
  const jar = new CookieJar();
  let url = options.tamper ? options.tamper(new URL(authorizationUrl)) : authorizationUrl;
  for (let hop = 0; hop < 10; hop++) {
    // Stop at Porthole's callback (on whichever origin the registered redirect URI names).
    if (url.origin === portholeOrigin || url.pathname === '/porthole/api/oidc/callback')
      return { startCookies, transactionCookie, authorizationUrl, callbackUrl: url };
    let response = await fetch(url, { redirect: 'manual', headers: { Cookie: jar.header() } });
    jar.take(response);
    if (response.status === 200 && url.pathname.startsWith('/interaction/')) {
      response = await fetch(new URL(`${url.pathname}/login`, url), {
        method: 'POST',
        redirect: 'manual',
        headers: { Cookie: jar.header(), 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(credentials).toString(),
      });
      jar.take(response);
    }
    const location = response.headers.get('location');
    if (response.status < 300 || response.status >= 400 || !location) {
      throw new Error(
        `the IdP answered ${response.status} at ${url.pathname}: ${(await response.text()).slice(0, 300)}`,
      );
    }
    url = new URL(location, url);
  }
  throw new Error('too many redirects during the login walk');
}
