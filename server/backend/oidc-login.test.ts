// OpenID Connect login against a real OpenID Provider (oidc-provider) on loopback, without a browser: the
// callback's checks (state, nonce, PKCE, single use, transaction cookie), what the cookies say, the identity
// the ID token's claims give the session, and logout (token-broker-security §6 C1, C2, C3, C6).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OidcLogin } from './oidc-login.ts';
import { startPorthole, type Porthole } from './server.ts';
import { startIdentityProvider, walkLogin, type TestIdentityProvider } from './testing/identity-provider.ts';
import { writeDist } from './testing/harness.ts';

const ACCOUNTS = {
  alice: {
    password: 'wonderland',
    claims: { name: 'Alice Liddell', preferred_username: 'alice', groups: ['dev', 'readers'] },
  },
  root: { password: 'toor', claims: { name: 'Root', groups: ['system:masters'] } },
};
const ALICE = { username: 'alice', password: 'wonderland' };

let idp: TestIdentityProvider;
let porthole: Porthole;
let origin: string;
let dir: string;
const logs: string[] = [];

beforeAll(async () => {
  idp = await startIdentityProvider({ accounts: ACCOUNTS, clientSecret: 'porthole-test-secret' });
  dir = mkdtempSync(join(tmpdir(), 'porthole-oidc-'));
  porthole = await startPorthole({
    port: 0,
    clusters: [],
    distDir: writeDist(dir),
    log: (line) => logs.push(line),
    // These tests log in dozens of times a minute from one address.
    rateLimits: { loginsPerMinute: 10_000 },
    oidc: {
      issuerUrl: idp.issuer,
      clientId: idp.clientId,
      clientSecret: 'porthole-test-secret',
      scopes: ['openid', 'profile', 'groups'],
    },
  });
  origin = porthole.url.replace(/\/$/, '');
  idp.configure(porthole.oidc?.redirectUri ?? '');
});

afterAll(async () => {
  await porthole?.close();
  await idp?.close();
  rmSync(dir, { recursive: true, force: true });
});

function callback(url: URL, cookie: string): Promise<Response> {
  return fetch(url, { redirect: 'manual', headers: { Cookie: cookie } });
}

function sessionCookieOf(response: Response): string | undefined {
  const line = response.headers.getSetCookie().find((c) => c.startsWith('porthole_session='));
  return line?.split(';')[0];
}

const session = (cookie: string) => fetch(`${origin}/porthole/api/session`, { headers: { Cookie: cookie } });

describe('a complete login', () => {
  it('creates a session for the ID token user and redirects to the returnTo path', async () => {
    const walked = await walkLogin(origin, ALICE, { returnTo: '/playground?x=1' });
    const response = await callback(walked.callbackUrl, walked.transactionCookie);
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/playground?x=1');
    const cookie = sessionCookieOf(response);
    expect(cookie).toMatch(/^porthole_session=[A-Za-z0-9_-]{43}$/);
    const answer = await session(cookie ?? '');
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({
      authenticated: true,
      method: 'oidc',
      user: { name: 'alice', subject: 'alice', groups: ['dev', 'readers'] },
    });
  });

  it('sends PKCE S256, state, nonce, the registered redirect URI and the requested scopes', async () => {
    const { authorizationUrl } = await walkLogin(origin, ALICE);
    const q = authorizationUrl.searchParams;
    expect(authorizationUrl.origin).toBe(idp.issuer);
    expect(q.get('response_type')).toBe('code');
    expect(q.get('client_id')).toBe('porthole');
    expect(q.get('redirect_uri')).toBe(`${origin}/porthole/api/oidc/callback`);
    expect(q.get('scope')).toBe('openid profile groups');
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(q.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.get('state')).toMatch(/^[A-Za-z0-9_-]{22,}$/);
    expect(q.get('nonce')).toMatch(/^[A-Za-z0-9_-]{22,}$/);
    expect(q.get('code_verifier')).toBeNull();
  });

  it('the transaction cookie is HttpOnly, SameSite=Lax (the IdP redirects cross-site), Path=/, 10 minutes', async () => {
    const { startCookies } = await walkLogin(origin, ALICE);
    expect(startCookies).toHaveLength(1);
    expect(startCookies[0]).toMatch(/^porthole_oidc=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Lax; Path=\/; Max-Age=600$/);
  });

  it('the session cookie is HttpOnly, SameSite=Strict, Path=/, without Domain; the transaction cookie is cleared', async () => {
    const walked = await walkLogin(origin, ALICE);
    const response = await callback(walked.callbackUrl, walked.transactionCookie);
    const lines = response.headers.getSetCookie();
    expect(lines).toContain('porthole_oidc=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0');
    const line = lines.find((c) => c.startsWith('porthole_session=')) ?? '';
    expect(line).toMatch(/^porthole_session=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=\/$/);
    expect(line).not.toMatch(/domain/i);
  });

  it('rotates the session: a session the browser already had ends at login (fixation)', async () => {
    const first = await walkLogin(origin, ALICE);
    const before = sessionCookieOf(await callback(first.callbackUrl, first.transactionCookie)) ?? '';
    const second = await walkLogin(origin, ALICE, { cookie: before });
    const after = sessionCookieOf(await callback(second.callbackUrl, `${second.transactionCookie}; ${before}`)) ?? '';
    expect(after).not.toBe(before);
    expect((await session(before)).status).toBe(401);
    expect((await session(after)).status).toBe(200);
  });

  it('logout ends the session server-side: the old cookie is refused afterwards (C6)', async () => {
    const walked = await walkLogin(origin, ALICE);
    const cookie = sessionCookieOf(await callback(walked.callbackUrl, walked.transactionCookie)) ?? '';
    const logout = await fetch(`${origin}/porthole/api/logout`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Cookie: cookie, Origin: origin },
    });
    expect(logout.status).toBe(204);
    expect(logout.headers.get('set-cookie')).toBe('porthole_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0');
    expect((await session(cookie)).status).toBe(401);
  });
});

describe('the callback refuses, with 400 and no session', () => {
  const cases: Array<{
    name: string;
    prepare: () => Promise<{ url: URL; cookie: string }>;
    message: RegExp;
  }> = [
    {
      name: 'a wrong state',
      prepare: async () => {
        const w = await walkLogin(origin, ALICE);
        const url = new URL(w.callbackUrl);
        url.searchParams.set('state', 'forged-state-value-0000000000');
        return { url, cookie: w.transactionCookie };
      },
      message: /state/i,
    },
    {
      name: 'the callback of another login (its state does not match this browser’s transaction)',
      prepare: async () => {
        const mine = await walkLogin(origin, ALICE);
        const theirs = await walkLogin(origin, ALICE);
        return { url: theirs.callbackUrl, cookie: mine.transactionCookie };
      },
      message: /state/i,
    },
    {
      name: 'a wrong nonce (the authorization request carried another one)',
      prepare: async () => {
        const w = await walkLogin(origin, ALICE, {
          tamper: (url) => {
            url.searchParams.set('nonce', 'a-nonce-porthole-did-not-make');
            return url;
          },
        });
        return { url: w.callbackUrl, cookie: w.transactionCookie };
      },
      message: /nonce/i,
    },
    {
      name: 'a PKCE challenge that is not our verifier’s (the IdP refuses the code)',
      prepare: async () => {
        const w = await walkLogin(origin, ALICE, {
          tamper: (url) => {
            url.searchParams.set('code_challenge', 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
            return url;
          },
        });
        return { url: w.callbackUrl, cookie: w.transactionCookie };
      },
      message: /invalid_grant|PKCE|code_verifier/i,
    },
    {
      name: 'no transaction cookie (the login was started elsewhere)',
      prepare: async () => {
        const w = await walkLogin(origin, ALICE);
        return { url: w.callbackUrl, cookie: '' };
      },
      message: /unknown or expired/,
    },
    {
      name: 'an error from the IdP instead of a code',
      prepare: async () => {
        const w = await walkLogin(origin, ALICE);
        const url = new URL(w.callbackUrl);
        url.search = new URLSearchParams({
          error: 'access_denied',
          state: w.authorizationUrl.searchParams.get('state') ?? '',
          iss: idp.issuer,
        }).toString();
        return { url, cookie: w.transactionCookie };
      },
      message: /access_denied/,
    },
  ];

  it.each(cases)('$name', async ({ prepare, message }) => {
    const sessionsBefore = porthole.sessions.size;
    const { url, cookie } = await prepare();
    const response = await callback(url, cookie);
    expect(response.status).toBe(400);
    expect(sessionCookieOf(response)).toBeUndefined();
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await response.text()).toMatch(message);
    expect(porthole.sessions.size).toBe(sessionsBefore);
  });

  it('a replayed callback (same code, same transaction) is refused the second time', async () => {
    const w = await walkLogin(origin, ALICE);
    const first = await callback(w.callbackUrl, w.transactionCookie);
    expect(first.status).toBe(303);
    const sessionsBefore = porthole.sessions.size;
    const again = await callback(w.callbackUrl, w.transactionCookie);
    expect(again.status).toBe(400);
    expect(sessionCookieOf(again)).toBeUndefined();
    expect(porthole.sessions.size).toBe(sessionsBefore);
  });

  it('a reused code with a fresh transaction is refused by the IdP', async () => {
    const used = await walkLogin(origin, ALICE);
    expect((await callback(used.callbackUrl, used.transactionCookie)).status).toBe(303);
    const fresh = await walkLogin(origin, ALICE);
    const url = new URL(fresh.callbackUrl);
    url.searchParams.set('code', used.callbackUrl.searchParams.get('code') ?? '');
    const response = await callback(url, fresh.transactionCookie);
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/invalid_grant/);
  });
});

describe('identity', () => {
  it('a login whose groups name system: identities makes no session (403)', async () => {
    const w = await walkLogin(origin, { username: 'root', password: 'toor' });
    const response = await callback(w.callbackUrl, w.transactionCookie);
    expect(response.status).toBe(403);
    expect(sessionCookieOf(response)).toBeUndefined();
    expect(await response.text()).toContain('system:masters');
  });
});

describe('returnTo stays on this origin (C3)', () => {
  it.each([
    ['//evil.com', '/'],
    ['https://evil.com', '/'],
    ['/\\evil.com', '/'],
    ['javascript:alert(1)', '/'],
    ['%2F%2Fevil.com', '/'],
    ['/%2F%2Fevil.com', '/'],
    ['/playground#s=abc', '/playground#s=abc'],
  ])('returnTo=%s → Location %s', async (returnTo, expected) => {
    const w = await walkLogin(origin, ALICE, { returnTo });
    const response = await callback(w.callbackUrl, w.transactionCookie);
    expect(response.headers.get('location')).toBe(expected);
  });
});

describe('logs', () => {
  it('never carry the code, the state or a session id', async () => {
    const w = await walkLogin(origin, ALICE);
    const cookie = sessionCookieOf(await callback(w.callbackUrl, w.transactionCookie)) ?? '';
    const text = logs.join('\n');
    expect(text).toContain('alice');
    for (const secret of [
      w.callbackUrl.searchParams.get('code') ?? '',
      w.callbackUrl.searchParams.get('state') ?? '',
      cookie.split('=')[1] ?? '',
      w.transactionCookie.split('=')[1] ?? '',
    ]) {
      expect(secret.length).toBeGreaterThan(10);
      expect(text).not.toContain(secret);
    }
  });
});

describe('transactions', () => {
  it('expire after 10 minutes: the callback is then refused without asking the IdP', async () => {
    let now = 1_000_000;
    const login = new OidcLogin({
      issuerUrl: idp.issuer,
      clientId: idp.clientId,
      clientSecret: 'porthole-test-secret',
      origin,
      now: () => now,
    });
    const { cookie } = await login.start('/', false);
    const id = cookie.split(';')[0] ?? '';
    expect(login.pendingLogins).toBe(1);
    now += 10 * 60 * 1000;
    expect(login.pendingLogins).toBe(0);
    await expect(login.finish('?code=x&state=y', id)).rejects.toThrow(/unknown or expired/);
  });

  it('are bounded: the oldest logins in flight are dropped first', async () => {
    const login = new OidcLogin({ issuerUrl: idp.issuer, clientId: idp.clientId, origin, maxTransactions: 3 });
    const cookies: string[] = [];
    for (let i = 0; i < 5; i++) cookies.push((await login.start('/', false)).cookie.split(';')[0] ?? '');
    expect(login.pendingLogins).toBe(3);
    await expect(login.finish('?code=x&state=y', cookies[0])).rejects.toThrow(/unknown or expired/);
  });

  it('over TLS the transaction cookie is __Host- and Secure', async () => {
    const login = new OidcLogin({ issuerUrl: idp.issuer, clientId: idp.clientId, origin });
    const { cookie } = await login.start('/', true);
    expect(cookie).toMatch(
      /^__Host-porthole_oidc=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Lax; Path=\/; Max-Age=600; Secure$/,
    );
  });
});

describe('session limits of an OIDC session', () => {
  it('idle and absolute expiry end it (the store is the same for both login methods)', async () => {
    let now = 5_000_000;
    const limited = await startPorthole({
      port: 0,
      clusters: [],
      distDir: writeDist(dir),
      log: () => {},
      sessions: { idleTimeoutMs: 60_000, absoluteTimeoutMs: 150_000, now: () => now },
      oidc: {
        issuerUrl: idp.issuer,
        clientId: idp.clientId,
        clientSecret: 'porthole-test-secret',
        redirectUri: `${origin}/porthole/api/oidc/callback`,
      },
    });
    try {
      const otherOrigin = limited.url.replace(/\/$/, '');
      // The IdP knows Porthole's first redirect URI; this one's callback is visited at its own origin.
      const login = async () => {
        const w = await walkLogin(otherOrigin, ALICE);
        const url = new URL(w.callbackUrl.pathname + w.callbackUrl.search, otherOrigin);
        const response = await fetch(url, { redirect: 'manual', headers: { Cookie: w.transactionCookie } });
        return sessionCookieOf(response) ?? '';
      };
      const ask = (cookie: string) => fetch(`${otherOrigin}/porthole/api/session`, { headers: { Cookie: cookie } });
      const idle = await login();
      now += 59_000;
      expect((await ask(idle)).status).toBe(200);
      now += 59_000;
      expect((await ask(idle)).status).toBe(200);
      now += 60_000;
      expect((await ask(idle)).status).toBe(401);

      const busy = await login();
      for (let t = 0; t < 120_000; t += 30_000) {
        now += 30_000;
        expect((await ask(busy)).status).toBe(200);
      }
      now += 30_000;
      expect((await ask(busy)).status).toBe(401);
    } finally {
      await limited.close();
    }
  });
});
