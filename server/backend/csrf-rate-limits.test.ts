// CSRF on state-changing routes (token-broker-security §6 C4, C5), rate limits on login, token minting and
// WebSocket upgrades (§4.7, A22), and the headers of API answers and refused upgrades (A24, D2).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Issuer } from '../issuer/issuer.ts';
import { openKeyStore, unixNow } from '../issuer/key-store.ts';
import { MintRateLimited } from '../issuer/mint.ts';
import { RateLimiter } from './rate-limit.ts';
import { startFakeCluster, type FakeCluster } from './testing/fake-cluster.ts';
import {
  FAKE_TOKEN,
  SHELL_PATH,
  TTY_QUERY,
  login,
  openBrowserSocket,
  startTestPorthole,
  waitUntil,
  type TestPorthole,
} from './testing/harness.ts';
import { makeTestCertificates, type TestCertificates } from './testing/tls.ts';

let certs: TestCertificates;
let fake: FakeCluster;
let t: TestPorthole;

beforeAll(async () => {
  certs = makeTestCertificates();
  fake = await startFakeCluster({ certs, token: FAKE_TOKEN });
  t = await startTestPorthole(fake, certs, { rateLimits: { loginsPerMinute: 1000, upgradesPerMinute: 3 } });
});

afterAll(async () => {
  await t.close();
  await fake.close();
});

const session = (cookie: string) => fetch(`${t.origin}/porthole/api/session`, { headers: { Cookie: cookie } });

describe('CSRF: logout with a valid cookie is refused, with no side effect, when', () => {
  it.each([
    { name: 'Origin is foreign', headers: { Origin: 'http://evil.example' }, status: 403 },
    { name: 'Origin is missing', headers: { Origin: null }, status: 403 },
    { name: 'Origin is "null"', headers: { Origin: 'null' }, status: 403 },
    { name: 'Sec-Fetch-Site is cross-site', headers: { 'Sec-Fetch-Site': 'cross-site' }, status: 403 },
    {
      name: 'Sec-Fetch-Site is same-site (a sibling subdomain)',
      headers: { 'Sec-Fetch-Site': 'same-site' },
      status: 403,
    },
    {
      name: 'the body is a form (what a cross-site form can send)',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      status: 415,
    },
    { name: 'the body is text/plain', headers: { 'Content-Type': 'text/plain' }, status: 415 },
    { name: 'the method is GET', headers: {}, method: 'GET', status: 405 },
  ])('$name → $status', async ({ headers, status, method }) => {
    const cookie = await login(t);
    const sent: Record<string, string> = { Cookie: cookie, Origin: t.origin, 'Content-Type': 'application/json' };
    for (const [k, v] of Object.entries(headers)) {
      if (v === null) delete sent[k];
      else sent[k] = v;
    }
    const response = await fetch(`${t.origin}/porthole/api/logout`, { method: method ?? 'POST', headers: sent });
    expect(response.status).toBe(status);
    expect(response.headers.get('set-cookie')).toBeNull();
    expect((await session(cookie)).status).toBe(200);
  });

  it('and a same-origin JSON POST (what the page sends) logs out', async () => {
    const cookie = await login(t);
    const response = await fetch(`${t.origin}/porthole/api/logout`, {
      method: 'POST',
      headers: {
        Cookie: cookie,
        Origin: t.origin,
        'Content-Type': 'application/json',
        'Sec-Fetch-Site': 'same-origin',
      },
      body: '{}',
    });
    expect(response.status).toBe(204);
    expect((await session(cookie)).status).toBe(401);
  });
});

describe('CORS (C5)', () => {
  it('a credentialed request or a preflight from another origin gets no Access-Control-Allow-* header', async () => {
    const cookie = await login(t);
    const preflight = await fetch(`${t.origin}/porthole/api/logout`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' },
    });
    const credentialed = await fetch(`${t.origin}/porthole/api/session`, {
      headers: { Origin: 'https://evil.example', Cookie: cookie },
    });
    for (const response of [preflight, credentialed]) {
      for (const name of response.headers.keys()) expect(name).not.toMatch(/^access-control-/);
    }
  });
});

describe('headers', () => {
  it.each(['/porthole/api/session', '/porthole/api/clusters', '/porthole/api/nope'])(
    '%s: no-store, no-referrer, CSP without inline script and frame-ancestors none',
    async (path) => {
      const response = await fetch(`${t.origin}${path}`);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
      expect(csp).toContain("frame-ancestors 'none'");
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    },
  );
});

describe('rate limits', () => {
  it('failed logins per client address: the excess gets 429 with Retry-After, even with the right token; good ones are not counted', async () => {
    const limited = await startTestPorthole(fake, certs, { rateLimits: { loginsPerMinute: 3 } });
    try {
      const attempt = (token: string) =>
        fetch(`${limited.origin}/porthole/api/login`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Origin: limited.origin },
          body: JSON.stringify({ token }),
        });
      const statuses = [];
      for (let i = 0; i < 5; i++) statuses.push((await attempt(limited.porthole.loginToken)).status);
      expect(statuses).toEqual([204, 204, 204, 204, 204]);
      statuses.length = 0;
      for (let i = 0; i < 3; i++) statuses.push((await attempt('wrong')).status);
      expect(statuses).toEqual([401, 401, 401]);
      const excess = await attempt(limited.porthole.loginToken);
      expect(excess.status).toBe(429);
      expect(Number(excess.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(excess.headers.get('set-cookie')).toBeNull();
    } finally {
      await limited.close();
    }
  });

  it('upgrades per session: the excess gets 429 before any upstream connection; other sessions are unaffected', async () => {
    const cookie = await login(t);
    for (let i = 0; i < 3; i++) {
      const opened = await openBrowserSocket(t, SHELL_PATH + TTY_QUERY, { cookie });
      if (!opened.ok) throw new Error(`upgrade ${i} refused with ${opened.status}`);
      opened.socket.ws.close(1000);
      await opened.socket.closed;
    }
    const before = fake.sessions.length;
    const excess = await openBrowserSocket(t, SHELL_PATH + TTY_QUERY, { cookie });
    expect(excess).toMatchObject({ ok: false, status: 429 });
    expect(fake.sessions.length).toBe(before);
    const other = await openBrowserSocket(t, SHELL_PATH + TTY_QUERY, { cookie: await login(t) });
    expect(other.ok).toBe(true);
    if (other.ok) {
      await waitUntil(() => fake.sessions.length > before, 'the other session’s upstream');
      other.socket.ws.close(1000);
      await other.socket.closed;
    }
  });

  it('token minting per session: cached tokens are free, new mints past the limit are refused', async () => {
    const keys = await openKeyStore({ log: () => {} });
    const issuer = new Issuer({ url: 'https://porthole.example/oidc', keys, now: unixNow, mintsPerMinute: 2 });
    const alice = { subject: 'alice', groups: [] };
    await issuer.token('s1', alice, 'cluster-a');
    for (let i = 0; i < 5; i++) await issuer.token('s1', alice, 'cluster-a'); // cached
    await issuer.token('s1', alice, 'cluster-b');
    await expect(issuer.token('s1', alice, 'cluster-c')).rejects.toBeInstanceOf(MintRateLimited);
    await expect(issuer.token('s2', alice, 'cluster-c')).resolves.toHaveProperty('token');
  });

  it('a window ends: the counter starts again', () => {
    let now = 0;
    const limiter = new RateLimiter({ limit: 2, windowMs: 1000, now: () => now });
    expect([limiter.take('k'), limiter.take('k'), limiter.take('k')]).toEqual([undefined, undefined, 1000]);
    now = 999;
    expect(limiter.take('k')).toBe(1);
    now = 1000;
    expect(limiter.take('k')).toBeUndefined();
  });

  it('memory is bounded: past maxKeys the oldest keys go', () => {
    const limiter = new RateLimiter({ limit: 1, windowMs: 60_000, maxKeys: 3, now: () => 0 });
    for (const k of ['a', 'b', 'c', 'd']) expect(limiter.take(k)).toBeUndefined();
    // 'a' was dropped, so it is allowed again; 'd' is still counted.
    expect(limiter.take('a')).toBeUndefined();
    expect(limiter.take('d')).toBe(60_000);
  });
});
