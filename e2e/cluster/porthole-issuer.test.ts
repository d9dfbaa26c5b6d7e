// Porthole's token issuer trusted by a real kube-apiserver: the harness's AuthenticationConfiguration gains
// Porthole's own entry (server/issuer/trust-config.ts, with the CA of a TLS front for the issuer, as behind an
// ingress), hot-reloaded. A minted token is accepted as the prefixed user (SelfSubjectReview), a shell opened
// through Porthole runs as that user (the apiserver's audit log), and a token for another cluster or an expired
// one is refused (token-broker-security §6 B3–B5). A private harness: it rewrites the authentication config.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { parse, stringify } from 'yaml';
import type { Cluster } from '../../server/backend/clusters.ts';
import { startPorthole, type Porthole } from '../../server/backend/server.ts';
import { makeTestCertificates, type TestCertificates } from '../../server/backend/testing/tls.ts';
import { writeDist } from '../../server/backend/testing/harness.ts';
import { unixNow } from '../../server/issuer/key-store.ts';
import { TokenMinter } from '../../server/issuer/mint.ts';
import { SESSION_ID_EXTRA_KEY, trustedIssuerEntry } from '../../server/issuer/trust-config.ts';
import { apiRequest } from './api-request.ts';
import { authnConfigFile, reloadAuthenticationConfig } from './authn-channel.ts';
import { goAvailable, HARNESS_START_TIMEOUT_MS, reportSkipped, useHarness, type Harness } from './harness.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const AUDIENCE = 'porthole:e2e';
const ALICE = { subject: 'alice', groups: ['dev'] };

if (!goAvailable) reportSkipped('porthole-issuer');

/** What the apiserver answers a bearer token directly (no Porthole in between). */
function selfSubjectReview(
  harness: Harness,
  token: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const payload = JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' });
  return new Promise((resolve, reject) => {
    const req = https.request(
      new URL('/apis/authentication.k8s.io/v1/selfsubjectreviews', harness.ready.server),
      {
        method: 'POST',
        ca: readFileSync(harness.ready.caFile),
        headers: {
          Authorization: `Bearer ${token}`,
          'Content-Type': 'application/json',
          'Content-Length': Buffer.byteLength(payload),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (d: string) => (text += d));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }),
        );
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

describe.runIf(goAvailable)('Porthole’s issuer trusted by the real kube-apiserver', () => {
  let harness: Harness;
  let certs: TestCertificates;
  let front: https.Server;
  let porthole: Porthole;
  let dir: string;

  beforeAll(async () => {
    harness = await useHarness({ private: true });
    certs = makeTestCertificates();
    // The issuer over HTTPS, as an ingress in front of Porthole serves it: only /oidc/* is passed on.
    let backendPort = 0;
    front = https.createServer({ key: certs.keyPem, cert: certs.certPem }, (req, res) => {
      if (!(req.url ?? '').startsWith('/oidc/')) {
        res.writeHead(404).end();
        return;
      }
      const upstream = http.request(
        { host: '127.0.0.1', port: backendPort, path: req.url, method: req.method, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => res.writeHead(502).end());
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
    const issuerUrl = `https://127.0.0.1:${(front.address() as AddressInfo).port}/oidc`;

    // The harness cluster, reached with tokens Porthole mints for the session (the default for a cluster that
    // trusts Porthole).
    const ready = harness.ready;
    const cluster: Cluster = {
      name: 'e2e',
      server: ready.server,
      local: false,
      upstream: async ({ sessionId, identity }) => ({
        server: ready.server.replace(/\/$/, ''),
        tls: { ca: readFileSync(ready.caFile, 'utf8'), rejectUnauthorized: true },
        headers: { Authorization: `Bearer ${(await porthole.issuer.token(sessionId, identity, AUDIENCE)).token}` },
      }),
    };
    dir = mkdtempSync(join(tmpdir(), 'porthole-issuer-e2e-'));
    porthole = await startPorthole({
      port: 0,
      clusters: [cluster],
      issuerUrl,
      distDir: writeDist(dir),
      log: (line) => {
        if (process.env.PORTHOLE_E2E_LOG) console.log(line);
      },
    });
    backendPort = Number(new URL(porthole.url).port);

    // The harness's configuration plus Porthole's entry, exactly as the README tells an operator to add it.
    const file = authnConfigFile(harness);
    const config = parse(readFileSync(file, 'utf8')) as { jwt: unknown[] };
    config.jwt.push(trustedIssuerEntry({ issuer: issuerUrl, audience: AUDIENCE, certificateAuthority: certs.caPem }));
    const outcome = await reloadAuthenticationConfig(harness, stringify(config));
    expect(outcome).toEqual({ applied: true });

    // RBAC for the prefixed user: exec into pods.
    const role = `porthole-e2e-exec-${randomUUID().slice(0, 8)}`;
    const created = await apiRequest(ready, 'POST', '/apis/rbac.authorization.k8s.io/v1/clusterroles', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: role },
      rules: [{ apiGroups: [''], resources: ['pods', 'pods/exec'], verbs: ['get', 'list', 'create'] }],
    });
    expect(created.status).toBe(201);
    const bound = await apiRequest(ready, 'POST', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: role },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'porthole:alice' }],
    });
    expect(bound.status).toBe(201);
  }, HARNESS_START_TIMEOUT_MS);

  afterAll(async () => {
    await porthole?.close();
    await new Promise<void>((resolve) => (front ? front.close(() => resolve()) : resolve()));
    await harness?.release();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('a minted token is the prefixed user: SelfSubjectReview names porthole:alice, porthole:dev and the session id', async () => {
    const minted = await porthole.issuer.token('session-for-review', ALICE, AUDIENCE);
    const review = await selfSubjectReview(harness, minted.token);
    expect(review.status).toBe(201);
    const user = (review.body.status as { userInfo: Record<string, unknown> }).userInfo;
    expect(user.username).toBe('porthole:alice');
    expect(user.uid).toBe('alice');
    expect(user.groups).toEqual(['porthole:dev', 'system:authenticated']);
    expect((user.extra as Record<string, string[]>)[SESSION_ID_EXTRA_KEY]).toEqual([minted.sid]);
  });

  it.each([
    {
      name: 'a token for another cluster (wrong audience)',
      token: async () => (await porthole.issuer.token('session-other', ALICE, 'porthole:another-cluster')).token,
    },
    {
      name: 'an expired token',
      token: async () => {
        // Minted 10 minutes ago with the issuer's own key and URL: it expired 5 minutes ago.
        const past = new TokenMinter({
          issuer: porthole.issuer.url,
          ring: porthole.issuer.keys.ring,
          now: () => unixNow() - 600,
        });
        return (await past.mint({ sessionId: 'session-expired', identity: ALICE, audience: AUDIENCE })).token;
      },
    },
  ])('$name is refused with 401', async ({ token }) => {
    const review = await selfSubjectReview(harness, await token());
    expect(review.status).toBe(401);
    expect(review.body).toMatchObject({ kind: 'Status', reason: 'Unauthorized' });
  });

  it('a shell opened through Porthole runs as porthole:alice (the apiserver audit log says who)', async () => {
    const session = porthole.sessions.create({ method: 'oidc', identity: ALICE, displayName: 'alice' });
    const origin = porthole.url.replace(/\/$/, '');
    const marker = `issuer-e2e-${randomUUID().slice(0, 8)}`;
    const query = new URLSearchParams([
      ['command', 'sh'],
      ['command', '-c'],
      ['command', `echo ${marker}-$((6*7))`],
      ['stdout', 'true'],
    ]);
    const ws = new WebSocket(
      `${origin.replace(/^http/, 'ws')}/clusters/e2e/api/v1/namespaces/default/pods/shell/exec?${query}`,
      ['v5.channel.k8s.io'],
      { headers: { Origin: origin, Cookie: `porthole_session=${session.id}` } },
    );
    let stdout = '';
    const closed = new Promise<number>((resolve, reject) => {
      ws.on('message', (data: Buffer) => {
        if (data[0] === 1) stdout += data.subarray(1).toString('utf8');
      });
      ws.on('close', (code) => resolve(code));
      ws.on('error', reject);
    });
    expect(await closed).toBe(1000);
    expect(stdout).toBe(`${marker}-42\n`);
    const events = readFileSync(harness.ready.auditLog, 'utf8')
      .split('\n')
      .filter((line) => line.includes(marker))
      .map(
        (line) =>
          JSON.parse(line) as { user: { username: string; groups?: string[]; extra?: Record<string, string[]> } },
      );
    expect(events.length).toBeGreaterThan(0);
    for (const event of events) {
      expect(event.user.username).toBe('porthole:alice');
      expect(event.user.groups).toContain('porthole:dev');
      expect(event.user.extra?.[SESSION_ID_EXTRA_KEY]).toHaveLength(1);
    }
  });
});
