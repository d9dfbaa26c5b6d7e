// The HTTP surface of `porthole serve` against a fake cluster: login and sessions, CSRF, the cluster list,
// the REST pass-through and its allowlist, and serving the built app with its headers.

import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeCluster, type FakeCluster } from './testing/fake-cluster.ts';
import { FAKE_TOKEN, login, startTestPorthole, type TestPorthole } from './testing/harness.ts';
import { makeTestCertificates, type TestCertificates } from './testing/tls.ts';

let certs: TestCertificates;
let fake: FakeCluster;
let t: TestPorthole;
let cookie: string;

beforeAll(async () => {
  certs = makeTestCertificates();
  fake = await startFakeCluster({ certs, token: FAKE_TOKEN });
  t = await startTestPorthole(fake, certs, { rest: { timeoutMs: 500, maxBodyBytes: 1024 * 1024 } });
  cookie = await login(t);
});

afterAll(async () => {
  await t.close();
  await fake.close();
});

const get = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${t.origin}${path}`, { headers: { Cookie: cookie, ...headers } });

describe('login', () => {
  const post = (body: string, headers: Record<string, string> = {}) =>
    fetch(`${t.origin}/porthole/api/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Origin: t.origin, ...headers },
      body,
    });

  it('prints the token only in the URL fragment', () => {
    const url = new URL(t.porthole.loginUrl);
    expect(url.hash).toBe(`#login=${t.porthole.loginToken}`);
    expect(url.search).toBe('');
    expect(url.pathname).toBe('/');
    expect(Buffer.from(t.porthole.loginToken, 'base64url').length).toBeGreaterThanOrEqual(16);
    expect(t.logs.join('\n')).not.toContain(t.porthole.loginToken);
  });

  it('a good token gets 204 and an HttpOnly, SameSite=Strict, Path=/ session cookie (not Secure over http)', async () => {
    const response = await post(JSON.stringify({ token: t.porthole.loginToken }));
    expect(response.status).toBe(204);
    const setCookie = response.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^porthole_session=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=\/$/);
    expect(setCookie).not.toContain(t.porthole.loginToken);
  });

  it('each login gets a fresh session id, and the one it replaces stops working', async () => {
    const first = await login(t);
    const response = await post(JSON.stringify({ token: t.porthole.loginToken }), { Cookie: first });
    const second = (response.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    expect(second).not.toBe(first);
    expect((await get('/porthole/api/session', { Cookie: first })).status).toBe(401);
    expect((await get('/porthole/api/session', { Cookie: second })).status).toBe(200);
  });

  it.each([
    { name: 'wrong token', body: JSON.stringify({ token: 'nope' }), status: 401 },
    { name: 'token one character short', body: 'SHORT', status: 401 },
    { name: 'token not a string', body: JSON.stringify({ token: 42 }), status: 401 },
    { name: 'not JSON', body: 'token=x', status: 400 },
    { name: 'body over 4 KiB', body: JSON.stringify({ token: 'x'.repeat(5000) }), status: 413 },
  ])('$name → $status with a JSON error and no cookie', async ({ body, status }) => {
    const realBody = body === 'SHORT' ? JSON.stringify({ token: t.porthole.loginToken.slice(0, -1) }) : body;
    const response = await post(realBody);
    expect(response.status).toBe(status);
    expect(response.headers.get('set-cookie')).toBeNull();
    expect(await response.json()).toHaveProperty('error');
  });

  it.each([
    { name: 'foreign Origin', headers: { Origin: 'http://evil.example' }, status: 403 },
    { name: 'no Origin', headers: { Origin: '' }, status: 403 },
    { name: 'form content type', headers: { 'Content-Type': 'text/plain' }, status: 415 },
  ])('CSRF defences: $name → $status', async ({ headers, status }) => {
    const h: Record<string, string> = { 'Content-Type': 'application/json', Origin: t.origin, ...headers };
    if (h.Origin === '') delete h.Origin;
    const response = await fetch(`${t.origin}/porthole/api/login`, {
      method: 'POST',
      headers: h,
      body: JSON.stringify({ token: t.porthole.loginToken }),
    });
    expect(response.status).toBe(status);
    expect(response.headers.get('set-cookie')).toBeNull();
  });

  it('logout needs our Origin too, and then ends the session', async () => {
    const mine = await login(t);
    const foreign = await fetch(`${t.origin}/porthole/api/logout`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Cookie: mine, Origin: 'http://evil.example' },
    });
    expect(foreign.status).toBe(403);
    expect((await get('/porthole/api/session', { Cookie: mine })).status).toBe(200);
    const ok = await fetch(`${t.origin}/porthole/api/logout`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Cookie: mine, Origin: t.origin },
    });
    expect(ok.status).toBe(204);
    expect(ok.headers.get('set-cookie')).toContain('Max-Age=0');
    expect((await get('/porthole/api/session', { Cookie: mine })).status).toBe(401);
  });
});

describe('API endpoints', () => {
  it('session: 200 with a session, 401 without', async () => {
    const body = (await (await get('/porthole/api/session')).json()) as Record<string, unknown>;
    // The login token speaks for the operating-system user who ran `porthole serve`.
    expect(body).toMatchObject({ authenticated: true, method: 'login-token', user: { groups: ['local-login'] } });
    expect(Date.parse(String(body.expiresAt))).toBeGreaterThan(Date.now());
    const anonymous = await fetch(`${t.origin}/porthole/api/session`);
    expect(anonymous.status).toBe(401);
  });

  it('clusters: one per kubeconfig context, no credential in sight', async () => {
    const response = await get('/porthole/api/clusters');
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ clusters: [{ name: 'fake', server: fake.url, local: false }] });
    expect(text).not.toContain(FAKE_TOKEN);
    expect((await fetch(`${t.origin}/porthole/api/clusters`)).status).toBe(401);
  });

  it.each([
    { path: '/porthole/api/nope', method: 'GET', status: 404 },
    { path: '/porthole/api', method: 'GET', status: 404 },
    { path: '/porthole/api/login', method: 'GET', status: 405 },
    { path: '/porthole/api/clusters', method: 'DELETE', status: 405 },
  ])('$method $path → $status JSON', async ({ path, method, status }) => {
    const response = await fetch(`${t.origin}${path}`, { method, headers: { Cookie: cookie, Origin: t.origin } });
    expect(response.status).toBe(status);
    expect(await response.json()).toHaveProperty('error');
  });

  it('a Host header that is not ours is refused (DNS rebinding)', async () => {
    const { request } = await import('node:http');
    const { hostname, port } = new URL(t.origin);
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ hostname, port, path: '/', headers: { Host: `rebind.example:${port}` } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(403);
  });
});

describe('REST pass-through', () => {
  it.each([
    '/api/v1/namespaces',
    '/api/v1/pods',
    '/api/v1/namespaces/default/pods',
    '/api/v1/namespaces/default/pods?labelSelector=app%3Dweb&limit=50',
    '/api/v1/namespaces/default/pods/shell',
    '/api/v1/namespaces/team-a/pods/my.dotted.pod',
  ])('GET %s is relayed with the cluster credential', async (apiPath) => {
    const before = fake.requests.length;
    const response = await get(`/clusters/fake${apiPath}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    const upstream = fake.requests.slice(before);
    expect(upstream).toHaveLength(1);
    expect(upstream[0]?.url).toBe(apiPath);
    expect(upstream[0]?.headers.authorization).toBe(`Bearer ${FAKE_TOKEN}`);
    expect(upstream[0]?.headers.cookie).toBeUndefined();
  });

  it('relays the upstream status and Status body: plain GET on exec is the diagnostic', async () => {
    const diag = await get('/clusters/fake/api/v1/namespaces/default/pods/shell/exec?command=sh&stdin=true&tty=true');
    expect(diag.status).toBe(400);
    expect(await diag.json()).toMatchObject({ kind: 'Status', message: 'Upgrade request required' });
    const missing = await get('/clusters/fake/api/v1/namespaces/default/pods/missing');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ reason: 'NotFound', message: 'pods "missing" not found' });
  });

  it.each([
    { name: 'secrets', path: '/clusters/fake/api/v1/secrets', status: 403 },
    { name: 'a namespace object', path: '/clusters/fake/api/v1/namespaces/default', status: 403 },
    { name: 'pod logs', path: '/clusters/fake/api/v1/namespaces/default/pods/shell/log', status: 403 },
    { name: 'portforward', path: '/clusters/fake/api/v1/namespaces/default/pods/x/portforward', status: 403 },
    { name: 'apps group', path: '/clusters/fake/apis/apps/v1/deployments', status: 403 },
    { name: 'watch', path: '/clusters/fake/api/v1/pods?watch=true', status: 403 },
    {
      name: 'command on attach',
      path: '/clusters/fake/api/v1/namespaces/default/pods/p/attach?command=sh',
      status: 403,
    },
    { name: 'encoded slash', path: '/clusters/fake/api/v1/namespaces/default/pods/a%2Fb', status: 404 },
    { name: 'upper-case name', path: '/clusters/fake/api/v1/namespaces/Default/pods', status: 403 },
    { name: 'unknown cluster', path: '/clusters/nope/api/v1/pods', status: 404 },
    { name: 'bad limit', path: '/clusters/fake/api/v1/pods?limit=-1', status: 400 },
    { name: 'bare /clusters', path: '/clusters', status: 404 },
  ])('$name → $status and no upstream request', async ({ path, status }) => {
    const before = fake.connections;
    const response = await get(path);
    expect(response.status).toBe(status);
    expect(await response.json()).toHaveProperty('error');
    expect(fake.connections).toBe(before);
  });

  it.each(['DELETE', 'POST', 'PUT', 'PATCH'])('%s → 403 and no upstream request', async (method) => {
    const before = fake.connections;
    const response = await fetch(`${t.origin}/clusters/fake/api/v1/namespaces/default/pods/shell`, {
      method,
      headers: { Cookie: cookie, Origin: t.origin },
    });
    expect(response.status).toBe(403);
    expect(fake.connections).toBe(before);
  });

  it('needs a session: 401 and no upstream request', async () => {
    const before = fake.connections;
    const response = await fetch(`${t.origin}/clusters/fake/api/v1/pods`);
    expect(response.status).toBe(401);
    expect(fake.connections).toBe(before);
  });

  it('an upstream that does not answer → 504 after the timeout', async () => {
    const response = await get('/clusters/fake/api/v1/namespaces/default/pods/slow');
    expect(response.status).toBe(504);
    expect((await response.json()).error).toMatch(/did not answer within 500 ms/);
  });

  it('an upstream body over the cap → 502, not relayed', async () => {
    const response = await get('/clusters/fake/api/v1/namespaces/default/pods/huge');
    expect(response.status).toBe(502);
    expect((await response.json()).error).toMatch(/more than 1048576 bytes/);
  });

  it('a non-JSON upstream answer keeps its status and is described in JSON', async () => {
    const response = await get('/clusters/fake/api/v1/namespaces/default/pods/html');
    expect(response.status).toBe(502);
    expect((await response.json()).error).toContain('<html>bad gateway</html>');
  });
});

describe('serving the app', () => {
  it.each([
    { path: '/', type: 'text/html; charset=utf-8', cache: 'no-cache' },
    { path: '/index.html', type: 'text/html; charset=utf-8', cache: 'no-cache' },
    { path: '/pods/default/shell', type: 'text/html; charset=utf-8', cache: 'no-cache' },
    {
      path: '/assets/index-abc123.js',
      type: 'text/javascript; charset=utf-8',
      cache: 'public, max-age=31536000, immutable',
    },
    { path: '/favicon.svg', type: 'image/svg+xml', cache: 'no-cache' },
  ])('GET $path → 200 $type, Cache-Control $cache, security headers', async ({ path, type, cache }) => {
    const response = await fetch(`${t.origin}${path}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(type);
    expect(response.headers.get('cache-control')).toBe(cache);
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe/);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
  });

  it.each(['/assets/missing-123.js', '/nope.png', '/%2e%2e/package.json', '/..%2fpackage.json'])(
    'GET %s → 404, never a file outside dist/',
    async (path) => {
      const response = await fetch(`${t.origin}${path}`);
      expect(response.status).toBe(404);
    },
  );

  it('POST to a page → 405', async () => {
    expect((await fetch(`${t.origin}/`, { method: 'POST' })).status).toBe(405);
  });

  it('without a built app: 503 telling to run npm run build', async () => {
    rmSync(join(t.dir, 'dist', 'index.html'));
    const response = await fetch(`${t.origin}/`);
    expect(response.status).toBe(503);
    expect(await response.text()).toContain('npm run build');
  });
});
