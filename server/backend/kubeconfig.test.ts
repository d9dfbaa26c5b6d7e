// Kubeconfig → Porthole clusters, table-driven: the credential each context injects upstream, the TLS material
// it verifies with, and the precise error of each unsupported or broken context.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { publicClusterInfo } from './clusters.ts';
import { KubeconfigError, clustersFromKubeconfig, loadKubeconfig } from './kubeconfig.ts';
import { makeTestCertificates, type TestCertificates } from './testing/tls.ts';

let certs: TestCertificates;
let dir: string;
const b64 = (s: string) => Buffer.from(s).toString('base64');

beforeAll(() => {
  certs = makeTestCertificates();
  dir = mkdtempSync(join(tmpdir(), 'porthole-kubeconfig-'));
  writeFileSync(join(dir, 'ca.crt'), certs.caPem);
  writeFileSync(join(dir, 'client.crt'), certs.clientCertPem);
  writeFileSync(join(dir, 'client.key'), certs.clientKeyPem);
  writeFileSync(join(dir, 'token'), '  token-from-file\n');
});

/** A kubeconfig with one context "ctx" joining the given cluster and user bodies. */
function kubeconfig(cluster: Record<string, unknown>, user: Record<string, unknown> | undefined): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'c', cluster }],
    users: user ? [{ name: 'u', user }] : [],
    contexts: [{ name: 'ctx', context: { cluster: 'c', ...(user ? { user: 'u' } : {}), namespace: 'team-a' } }],
    'current-context': 'ctx',
  });
}

const server = 'https://10.0.0.1:6443';

describe('supported contexts', () => {
  it.each([
    {
      name: 'token + CA data',
      cluster: { server, 'certificate-authority-data': 'CA' },
      user: { token: 'abc' },
      headers: { Authorization: 'Bearer abc' },
      tls: { ca: 'CA', rejectUnauthorized: true },
    },
    {
      name: 'tokenFile (relative to the kubeconfig, trimmed) + CA file',
      cluster: { server, 'certificate-authority': 'ca.crt' },
      user: { tokenFile: 'token' },
      headers: { Authorization: 'Bearer token-from-file' },
      tls: { ca: 'CA', rejectUnauthorized: true },
    },
    {
      name: 'readable tokenFile wins over the inline token (client-go)',
      cluster: { server, 'certificate-authority-data': 'CA' },
      user: { token: 'inline', tokenFile: 'token' },
      headers: { Authorization: 'Bearer token-from-file' },
      tls: { ca: 'CA', rejectUnauthorized: true },
    },
    {
      name: 'unreadable tokenFile falls back to the inline token',
      cluster: { server, 'certificate-authority-data': 'CA' },
      user: { token: 'inline', tokenFile: 'no-such-file' },
      headers: { Authorization: 'Bearer inline' },
      tls: { ca: 'CA', rejectUnauthorized: true },
    },
    {
      name: 'client certificate data',
      cluster: { server, 'certificate-authority-data': 'CA' },
      user: { 'client-certificate-data': 'CERT', 'client-key-data': 'KEY' },
      headers: {},
      tls: { ca: 'CA', cert: 'CERT', key: 'KEY', rejectUnauthorized: true },
    },
    {
      name: 'client certificate files',
      cluster: { server, 'certificate-authority-data': 'CA' },
      user: { 'client-certificate': 'client.crt', 'client-key': join('.', 'client.key') },
      headers: {},
      tls: { ca: 'CA', cert: 'CERT', key: 'KEY', rejectUnauthorized: true },
    },
    {
      name: 'insecure-skip-tls-verify, tls-server-name',
      cluster: { server, 'insecure-skip-tls-verify': true, 'tls-server-name': 'kubernetes.default' },
      user: { token: 'abc' },
      headers: { Authorization: 'Bearer abc' },
      tls: { rejectUnauthorized: false, servername: 'kubernetes.default' },
    },
    {
      name: 'no user: anonymous, system roots',
      cluster: { server },
      user: undefined,
      headers: {},
      tls: { rejectUnauthorized: true },
    },
    {
      name: 'plain http: no credential sent, as kubectl',
      cluster: { server: 'http://127.0.0.1:8001' },
      user: { token: 'abc' },
      headers: {},
      tls: { rejectUnauthorized: true },
    },
  ])('$name', async ({ cluster, user, headers, tls }) => {
    const material = (v: unknown) =>
      v === 'CA'
        ? b64(certs.caPem)
        : v === 'CERT'
          ? b64(certs.clientCertPem)
          : v === 'KEY'
            ? b64(certs.clientKeyPem)
            : v;
    const c = Object.fromEntries(Object.entries(cluster).map(([k, v]) => [k, material(v)]));
    const u = user && Object.fromEntries(Object.entries(user).map(([k, v]) => [k, material(v)]));
    const warnings: string[] = [];
    const [result, ...rest] = await clustersFromKubeconfig(kubeconfig(c, u), 'kc', dir, (w) => warnings.push(w));
    expect(rest).toHaveLength(0);
    expect(result?.error).toBeUndefined();
    expect(result && publicClusterInfo(result)).toEqual({
      name: 'ctx',
      server: c.server,
      local: false,
      namespace: 'team-a',
    });
    const target = await result?.upstream({ sessionId: 's', identity: { subject: 'alice', groups: [] } });
    expect(target?.headers).toEqual(headers);
    const expectedTls = Object.fromEntries(
      Object.entries(tls).map(([k, v]) => [
        k,
        v === 'CA' ? certs.caPem : v === 'CERT' ? certs.clientCertPem : v === 'KEY' ? certs.clientKeyPem : v,
      ]),
    );
    expect(target?.tls).toEqual(expectedTls);
    if (String(c.server).startsWith('http:'))
      expect(warnings.join()).toMatch(/plain http, so its credential is not sent/);
  });

  it('one cluster per context, named after it, in file order', async () => {
    const text = JSON.stringify({
      clusters: [{ name: 'c', cluster: { server } }],
      users: [{ name: 'u', user: { token: 't' } }],
      contexts: [
        { name: 'arn:aws:eks:eu-west-1:1:cluster/prod', context: { cluster: 'c', user: 'u' } },
        { name: 'kind-kind', context: { cluster: 'c', user: 'u' } },
      ],
    });
    const clusters = await clustersFromKubeconfig(text, 'kc', dir);
    expect(clusters.map((c) => c.name)).toEqual(['arn:aws:eks:eu-west-1:1:cluster/prod', 'kind-kind']);
  });
});

describe('contexts that cannot be used show a precise error', () => {
  it.each([
    {
      name: 'exec plugin',
      cluster: { server },
      user: { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: 'aws' } },
      error: 'context "ctx": user "u": exec credential plugins are not supported by Porthole yet',
    },
    {
      name: 'auth-provider',
      cluster: { server },
      user: { 'auth-provider': { name: 'oidc' } },
      error: 'context "ctx": user "u": auth-provider plugins are not supported by Porthole',
    },
    {
      name: 'basic auth',
      cluster: { server },
      user: { username: 'admin', password: 'x' },
      error: 'basic authentication (username/password) is not supported',
    },
    {
      name: 'impersonation',
      cluster: { server },
      user: { token: 't', as: 'bob' },
      error: 'impersonation (as) is not supported',
    },
    {
      name: 'insecure with a CA',
      cluster: {
        server,
        'insecure-skip-tls-verify': true,
        'certificate-authority-data': b64('-----BEGIN CERTIFICATE-----'),
      },
      user: { token: 't' },
      error: 'specifying a root certificates file with the insecure flag is not allowed',
    },
    {
      name: 'unreadable CA file',
      cluster: { server, 'certificate-authority': 'missing-ca.crt' },
      user: { token: 't' },
      error: 'unable to read certificate-authority',
    },
    {
      name: 'CA data that is not PEM',
      cluster: { server, 'certificate-authority-data': b64('garbage') },
      user: { token: 't' },
      error: 'certificate-authority-data for c is not base64 of PEM data',
    },
    {
      name: 'client cert without key',
      cluster: { server },
      user: { 'client-certificate': 'client.crt' },
      error: 'client-key-data or client-key must be specified for u to use the clientCert authentication method',
    },
    {
      name: 'unreadable client certificate file',
      cluster: { server },
      user: { 'client-certificate': 'missing.crt', 'client-key': 'client.key' },
      error: 'unable to read client-cert',
    },
    {
      name: 'unreadable tokenFile',
      cluster: { server },
      user: { tokenFile: 'no-such-token' },
      error: 'unable to read tokenFile',
    },
    { name: 'no server', cluster: {}, user: { token: 't' }, error: 'no server found for cluster "c"' },
    { name: 'bad scheme', cluster: { server: 'ftp://x' }, user: { token: 't' }, error: 'must be https:// or http://' },
    {
      name: 'proxy-url',
      cluster: { server, 'proxy-url': 'socks5://p:1080' },
      user: { token: 't' },
      error: 'proxy-url',
    },
  ])('$name', async ({ cluster, user, error }) => {
    const [result] = await clustersFromKubeconfig(kubeconfig(cluster, user), 'kc', dir);
    expect(result?.error).toContain(error);
    expect(result && publicClusterInfo(result).error).toContain(error);
    await expect(result?.upstream({ sessionId: 's', identity: { subject: 'alice', groups: [] } })).rejects.toThrow(
      error,
    );
  });

  it('a context naming a missing cluster or user', async () => {
    const text = JSON.stringify({
      clusters: [{ name: 'c', cluster: { server } }],
      contexts: [
        { name: 'a', context: { cluster: 'nope' } },
        { name: 'b', context: { cluster: 'c', user: 'ghost' } },
      ],
    });
    const [a, b] = await clustersFromKubeconfig(text, 'kc', dir);
    expect(a?.error).toBe('cluster "nope" was not found for context "a"');
    expect(b?.error).toBe('user "ghost" was not found for context "b"');
  });
});

describe('files that are not kubeconfigs stop the start', () => {
  it.each([
    { text: 'clusters: [unclosed', error: /not valid YAML/ },
    { text: '- a list', error: /is not a kubeconfig/ },
    { text: 'kind: Pod\napiVersion: v1', error: /has kind "Pod", expected "Config"/ },
    { text: 'clusters: []\ncontexts: []', error: /has no contexts/ },
    { text: 'contexts: {a: b}', error: /"contexts" must be a list/ },
    { text: 'contexts:\n- context: {cluster: c}', error: /contexts\[0\] has no name/ },
  ])('$text', async ({ text, error }) => {
    await expect(clustersFromKubeconfig(text, 'kc', dir)).rejects.toThrow(KubeconfigError);
    await expect(clustersFromKubeconfig(text, 'kc', dir)).rejects.toThrow(error);
  });

  it('a missing file', async () => {
    await expect(loadKubeconfig(join(dir, 'nope'))).rejects.toThrow(/kubeconfig .*nope: cannot be read/);
  });
});
