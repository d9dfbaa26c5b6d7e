// The embedded local cluster trusts Porthole's issuer (issue 8: "the local cluster trusts Porthole's issuer
// through an AuthenticationConfiguration evaluated by src/policy/authn"): `porthole serve` reaches it with a
// token minted per session; it accepts that token, still accepts its admin token (kubectl's kubeconfig), and
// refuses a token for another audience, an expired one and one from a key never published (§6 B5). No token
// ever reaches a log (§6 D1).

import { request } from 'node:https';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectExec } from '../exec-client.ts';
import { startPorthole, type Porthole } from '../backend/server.ts';
import { login, writeDist, type TestPorthole } from '../backend/testing/harness.ts';
import { writeKubeconfigFile } from '../local-cluster/kubeconfig.ts';
import { kubectl } from '../local-cluster/testing/kubectl.ts';
import { localLoginIdentity } from './local-login.ts';
import { LOCAL_CLUSTER_AUDIENCE } from './local-trust.ts';
import { publicSessionId } from './session-id.ts';

let dir: string;
let t: TestPorthole;
let porthole: Porthole;
let cookie: string;
const logs: string[] = [];
/** Every credential the test handles: none may appear in any log line. */
const canaries: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'porthole-trust-'));
  porthole = await startPorthole({ port: 0, distDir: writeDist(dir), log: (line) => logs.push(line) });
  t = { porthole, origin: porthole.url.replace(/\/$/, ''), logs, dir, close: () => porthole.close() };
  cookie = await login(t);
  canaries.push(porthole.localCluster!.token, cookie.split('=')[1]!);
}, 60_000);

afterAll(async () => {
  await porthole?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A GET straight to the local cluster with a bearer token: what it answers. */
function clusterGet(path: string, token: string): Promise<number> {
  const local = porthole.localCluster!;
  const url = new URL(path, local.server);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        ca: local.caData,
        headers: { Authorization: `Bearer ${token}` },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const sessionId = () => cookie.split('=')[1]!;

/** POST a SelfSubjectReview straight to the local cluster (what `kubectl auth whoami` does). */
function whoami(token: string, local = porthole.localCluster!): Promise<{ status: number; body: string }> {
  const url = new URL('/apis/authentication.k8s.io/v1/selfsubjectreviews', local.server);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        ca: local.caData,
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end('{"kind":"SelfSubjectReview","apiVersion":"authentication.k8s.io/v1","metadata":{},"status":{}}');
  });
}

describe('the local cluster trusts Porthole’s issuer', () => {
  it('the browser’s requests reach it with a token minted for the session, and it accepts that token', async () => {
    expect(porthole.issuer.cachedTokens).toBe(0);
    const res = await fetch(`${t.origin}/clusters/local/api/v1/namespaces`, { headers: { Cookie: cookie } });
    expect(res.status).toBe(200);
    expect(porthole.issuer.cachedTokens).toBe(1);
    // The token the backend used is the cached one for (session, local): the same value comes back.
    const minted = await porthole.issuer.token(sessionId(), localLoginIdentity(), LOCAL_CLUSTER_AUDIENCE);
    canaries.push(minted.token);
    expect(await clusterGet('/api/v1/namespaces', minted.token)).toBe(200);
  });

  it('B4: the cluster sees the prefixed user, its groups and the session id (SelfSubjectReview)', async () => {
    const minted = await porthole.issuer.token(sessionId(), localLoginIdentity(), LOCAL_CLUSTER_AUDIENCE);
    const res = await whoami(minted.token);
    expect(res.status).toBe(201);
    const review = JSON.parse(res.body) as { kind: string; status: { userInfo: unknown } };
    expect(review.kind).toBe('SelfSubjectReview');
    const subject = localLoginIdentity().subject;
    expect(review.status.userInfo).toEqual({
      username: `porthole:${subject}`,
      uid: subject,
      groups: ['porthole:local-login', 'system:authenticated'],
      extra: {
        'authentication.kubernetes.io/credential-id': [`JTI=${minted.jti}`],
        'porthole.dev/session-id': [publicSessionId(sessionId())],
      },
    });
    // The admin token is still the admin.
    const admin = JSON.parse((await whoami(porthole.localCluster!.token)).body) as {
      status: { userInfo: { username: string } };
    };
    expect(admin.status.userInfo.username).toBe('porthole-local-admin');
    // And a refused token gets the apiserver's 401, not a review.
    expect((await whoami('not-a-token')).status).toBe(401);
  });

  it('B4 with real kubectl: `kubectl auth whoami` with a minted token names the prefixed user', async () => {
    const minted = await porthole.issuer.token(sessionId(), localLoginIdentity(), LOCAL_CLUSTER_AUDIENCE);
    const kubeconfig = join(dir, 'minted.kubeconfig');
    const local = porthole.localCluster!;
    await writeKubeconfigFile(kubeconfig, local.server, local.caData, minted.token);
    const r = await kubectl('1.33', kubeconfig, [
      'auth',
      'whoami',
      '-o',
      'jsonpath={.status.userInfo.username} {.status.userInfo.groups}',
    ]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`porthole:${localLoginIdentity().subject} ["porthole:local-login","system:authenticated"]`);
    expect(r.code).toBe(0);
  });

  it('an exec through the relay runs with the minted token', async () => {
    const session = await connectExec({
      server: `${t.origin}/clusters/local`,
      namespace: 'default',
      pod: 'shell',
      subresource: 'exec',
      exec: {
        command: ['sh', '-c', 'echo minted'],
        container: 'main',
        stdin: false,
        stdout: true,
        stderr: true,
        tty: false,
      },
      headers: { Origin: t.origin, Cookie: cookie },
      keepaliveIntervalMs: 0,
    });
    const chunks: Buffer[] = [];
    session.on('stdout', (data) => chunks.push(Buffer.from(data)));
    const end = await session.ended;
    expect(Buffer.concat(chunks).toString()).toBe('minted\n');
    expect(end.result).toEqual({ kind: 'success' });
  });

  it('logout forgets the session’s tokens', async () => {
    const other = await login(t);
    await fetch(`${t.origin}/clusters/local/api/v1/namespaces`, { headers: { Cookie: other } });
    expect(porthole.issuer.cachedTokens).toBe(2);
    const res = await fetch(`${t.origin}/porthole/api/logout`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Cookie: other, Origin: t.origin },
    });
    expect(res.status).toBe(204);
    expect(porthole.issuer.cachedTokens).toBe(1);
  });

  it('still accepts its admin token (the kubeconfig written for kubectl)', async () => {
    expect(await clusterGet('/api/v1/namespaces', porthole.localCluster!.token)).toBe(200);
  });

  it('B5: refuses a token minted for another cluster', async () => {
    const other = await porthole.issuer.minter.mint({
      sessionId: sessionId(),
      identity: localLoginIdentity(),
      audience: 'porthole:other',
    });
    canaries.push(other.token);
    expect(await clusterGet('/api/v1/namespaces', other.token)).toBe(401);
    expect(logs.some((l) => l.includes('expected audience "porthole:local" got ["porthole:other"]'))).toBe(true);
  });

  it('B5: refuses an expired token signed by the issuer’s own key', async () => {
    const key = porthole.issuer.keys.ring.signingKey(Math.floor(Date.now() / 1000));
    const past = Math.floor(Date.now() / 1000) - 600;
    const expired = await new SignJWT({ groups: [], sid: 'x' })
      .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
      .setIssuer(porthole.issuer.url)
      .setSubject('someone')
      .setAudience([LOCAL_CLUSTER_AUDIENCE])
      .setIssuedAt(past)
      .setExpirationTime(past + 300)
      .sign(key.privateKey);
    canaries.push(expired);
    expect(await clusterGet('/api/v1/namespaces', expired)).toBe(401);
    expect(logs.some((l) => l.includes('oidc: token is expired'))).toBe(true);
  });

  it('B5: refuses a token from a key Porthole never published', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const now = Math.floor(Date.now() / 1000);
    const forged = await new SignJWT({ groups: [], sid: 'x' })
      .setProtectedHeader({ alg: 'ES256', kid: 'not-ours' })
      .setIssuer(porthole.issuer.url)
      .setSubject('mallory')
      .setAudience([LOCAL_CLUSTER_AUDIENCE])
      .setIssuedAt(now)
      .setExpirationTime(now + 300)
      .sign(privateKey);
    canaries.push(forged);
    expect(await clusterGet('/api/v1/namespaces', forged)).toBe(401);
  });

  it('D1: no token, cookie or admin credential appears in any log line (nor any token signature)', () => {
    expect(canaries.length).toBeGreaterThanOrEqual(6);
    expect(logs.length).toBeGreaterThan(0);
    const text = logs.join('\n');
    for (const canary of canaries) {
      expect(text).not.toContain(canary);
      const signature = canary.split('.')[2];
      if (signature) expect(text).not.toContain(signature);
    }
  });
});

describe('a configured prefix', () => {
  it('--identity-prefix acme: makes the local cluster see acme:<user>', async () => {
    const d = mkdtempSync(join(tmpdir(), 'porthole-prefix-'));
    const p = await startPorthole({ port: 0, distDir: writeDist(d), identityPrefix: 'acme:', log: () => undefined });
    try {
      const minted = await p.issuer.token('s', localLoginIdentity(), LOCAL_CLUSTER_AUDIENCE);
      const review = JSON.parse((await whoami(minted.token, p.localCluster!)).body) as {
        status: { userInfo: { username: string; groups: string[] } };
      };
      expect(review.status.userInfo.username).toBe(`acme:${localLoginIdentity().subject}`);
      expect(review.status.userInfo.groups).toEqual(['acme:local-login', 'system:authenticated']);
    } finally {
      await p.close();
      rmSync(d, { recursive: true, force: true });
    }
  });

  it('an empty prefix is refused before anything starts', async () => {
    await expect(startPorthole({ port: 0, clusters: [], identityPrefix: '' })).rejects.toThrow(/must not be empty/);
  });
});
