// `porthole serve --tls-cert-file/--tls-key-file`: https itself, so the session cookie is `__Host-` and Secure
// (§6 C1), and the default issuer URL is really served over https with the chain clusters are given (§6 B1).

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPorthole, type Porthole } from './server.ts';
import { writeDist } from './testing/harness.ts';
import { makeTestCertificates, type TestCertificates } from './testing/tls.ts';

let certs: TestCertificates;
let dir: string;
let porthole: Porthole;

beforeAll(async () => {
  certs = makeTestCertificates();
  dir = mkdtempSync(join(tmpdir(), 'porthole-tls-serve-'));
  writeFileSync(join(dir, 'tls.crt'), certs.certPem);
  writeFileSync(join(dir, 'tls.key'), certs.keyPem);
  porthole = await startPorthole({
    port: 0,
    clusters: [],
    distDir: writeDist(dir),
    log: () => {},
    tlsCertFile: join(dir, 'tls.crt'),
    tlsKeyFile: join(dir, 'tls.key'),
  });
});

afterAll(async () => {
  await porthole?.close();
  rmSync(dir, { recursive: true, force: true });
});

function request(
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      new URL(path, porthole.url),
      { method: init.method ?? 'GET', ca: certs.caPem, headers: init.headers ?? {} },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}

describe('serving https', () => {
  it('the printed URL is https', () => {
    expect(porthole.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/$/);
  });

  it('login sets __Host-porthole_session with Secure, HttpOnly, SameSite=Strict, Path=/ and no Domain', async () => {
    const origin = porthole.url.replace(/\/$/, '');
    const login = await request('/porthole/api/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Origin: origin },
      body: JSON.stringify({ token: porthole.loginToken }),
    });
    expect(login.status).toBe(204);
    const cookie = ([login.headers['set-cookie']].flat()[0] ?? '') as string;
    expect(cookie).toMatch(/^__Host-porthole_session=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=\/; Secure$/);
    const session = await request('/porthole/api/session', { headers: { Cookie: cookie.split(';')[0] ?? '' } });
    expect(session.status).toBe(200);
    // The plain-http cookie name is not what this server sets.
    expect(cookie).not.toMatch(/^porthole_session=/);
  });

  it('the default issuer URL is https on this server, and discovery is served there', async () => {
    expect(porthole.issuer.url).toBe(`${porthole.url}oidc`);
    const discovery = await request('/oidc/.well-known/openid-configuration');
    expect(discovery.status).toBe(200);
    const doc = JSON.parse(discovery.body) as { issuer: string; jwks_uri: string };
    expect(doc.issuer).toBe(porthole.issuer.url);
    expect(doc.jwks_uri).toBe(`${porthole.issuer.url}/jwks.json`);
    const jwks = await request('/oidc/jwks.json');
    expect((JSON.parse(jwks.body) as { keys: unknown[] }).keys.length).toBeGreaterThan(0);
  });

  it('a certificate without its key is refused at start', async () => {
    await expect(
      startPorthole({ port: 0, clusters: [], log: () => {}, tlsCertFile: join(dir, 'tls.crt') }),
    ).rejects.toThrow('--tls-cert-file and --tls-key-file go together');
  });
});
