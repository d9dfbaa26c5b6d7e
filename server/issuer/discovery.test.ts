// The issuer's public documents as a cluster fetches them from `porthole serve` (token-broker-security §6 B1, B2):
// discovery names the issuer byte for byte and only the algorithm in use; the JWKS holds public members only;
// both are cacheable for less than the pre-publish wait, and answer whatever Host the cluster uses.

import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPorthole, type Porthole } from '../backend/server.ts';
import { PRIVATE_MEMBERS } from '../../src/policy/authn/jwt.ts';
import { discoveryDocument, ISSUER_CACHE_CONTROL } from './discovery.ts';
import { issuerPaths, issuerUrlProblem, jwksUri } from './issuer-url.ts';
import { KeyRing } from './key-ring.ts';
import { DEFAULT_PRE_PUBLISH_SECONDS, JWKS_MAX_AGE_SECONDS } from './lifetimes.ts';

const ISSUER = 'https://porthole.example.com/oidc';
let porthole: Porthole;

beforeAll(async () => {
  porthole = await startPorthole({ port: 0, clusters: [], issuerUrl: ISSUER, log: () => undefined });
});
afterAll(async () => {
  await porthole.close();
});

/** GET with an explicit Host header, as a cluster reaching Porthole by its public name would send. */
function get(path: string, host: string, method = 'GET') {
  const { port } = new URL(porthole.url);
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers: { Host: host } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('discovery (B1)', () => {
  it('names the issuer byte for byte, an https jwks_uri under it, and only the algorithm in use', async () => {
    const res = await get('/oidc/.well-known/openid-configuration', 'porthole.example.com');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    const doc = JSON.parse(res.body) as Record<string, unknown>;
    expect(doc.issuer).toBe(ISSUER);
    expect(doc.jwks_uri).toBe(`${ISSUER}/jwks.json`);
    expect(new URL(doc.jwks_uri as string).protocol).toBe('https:');
    expect(doc.id_token_signing_alg_values_supported).toEqual(['ES256']);
    expect(doc.subject_types_supported).toEqual(['public']);
    expect(doc.response_types_supported).toEqual(['id_token']);
  });

  it('lists both algorithms while an RS256 → ES256 rotation keeps both published', async () => {
    const ring = await KeyRing.generate(0, 'RS256');
    await ring.rotate(10, { alg: 'ES256', prePublishSeconds: 0 });
    expect(discoveryDocument(ISSUER, ring, 10).id_token_signing_alg_values_supported).toEqual(['RS256', 'ES256']);
  });

  it.each([
    ['http://porthole.example.com/oidc', /must use https/],
    ['https://porthole.example.com/oidc/', /must not end with "\/"/],
    ['https://user@porthole.example.com/oidc', /user info/],
    ['https://porthole.example.com/oidc?x=1', /query/],
    ['https://porthole.example.com/oidc#x', /fragment/],
    ['https://PORTHOLE.example.com/oidc', /canonical form/],
  ])('refuses issuer URL %s', async (url, message) => {
    expect(issuerUrlProblem(url)).toMatch(message);
    await expect(startPorthole({ port: 0, clusters: [], issuerUrl: url })).rejects.toThrow(message);
  });

  it.each([
    [
      'https://porthole.example.com/oidc',
      '/oidc/.well-known/openid-configuration',
      '/oidc/jwks.json',
      'https://porthole.example.com/oidc/jwks.json',
    ],
    [
      'https://porthole.example.com/a/b',
      '/a/b/.well-known/openid-configuration',
      '/a/b/jwks.json',
      'https://porthole.example.com/a/b/jwks.json',
    ],
    [
      'https://porthole.example.com',
      '/.well-known/openid-configuration',
      '/jwks.json',
      'https://porthole.example.com/jwks.json',
    ],
  ])('serves the documents of %s under its own path', (url, discovery, jwks, uri) => {
    expect(issuerUrlProblem(url)).toBeUndefined();
    expect(issuerPaths(url)).toEqual({ discovery, jwks });
    expect(jwksUri(url)).toBe(uri);
  });

  it('defaults to https on Porthole’s own host and port, under /oidc', async () => {
    const p = await startPorthole({ port: 0, clusters: [], log: () => undefined });
    try {
      const host = new URL(p.url).host;
      expect(p.issuer.url).toBe(`https://${host}/oidc`);
      const res = await fetch(`${p.url}oidc/.well-known/openid-configuration`);
      expect(((await res.json()) as { issuer: string }).issuer).toBe(`https://${host}/oidc`);
    } finally {
      await p.close();
    }
  });
});

describe('JWKS (B2)', () => {
  it('publishes only public members, a unique kid per key, alg and use', async () => {
    const res = await get('/oidc/jwks.json', 'porthole.example.com');
    expect(res.status).toBe(200);
    const { keys } = JSON.parse(res.body) as { keys: Array<Record<string, unknown>> };
    expect(keys).toHaveLength(1);
    expect(Object.keys(keys[0]!).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
    expect(keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(keys[0]!.kid).toBe(porthole.issuer.keys.ring.all()[0]!.key.kid);
  });

  it('has no private member for either algorithm, across a rotation', async () => {
    const ring = await KeyRing.generate(0, 'RS256');
    await ring.rotate(1, { alg: 'ES256', prePublishSeconds: 0 });
    const { keys } = ring.jwks(1);
    expect(keys).toHaveLength(2);
    for (const key of keys) for (const member of PRIVATE_MEMBERS) expect(key, member).not.toHaveProperty(member);
    const rsa = keys.find((k) => k.kty === 'RSA')!;
    expect(Object.keys(rsa).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use']);
    // 3072-bit modulus: 384 bytes, 512 base64url characters.
    expect(rsa.n).toHaveLength(512);
    expect(new Set(keys.map((k) => k.kid)).size).toBe(2);
    // And the whole document: no private member name appears as a key anywhere in it.
    const text = JSON.stringify(ring.jwks(1));
    for (const member of PRIVATE_MEMBERS) expect(text).not.toContain(`"${member}":`);
  });

  it('is cacheable for no longer than the pre-publish wait, so a cached copy has the next key before it signs', async () => {
    for (const path of ['/oidc/jwks.json', '/oidc/.well-known/openid-configuration']) {
      const res = await get(path, 'porthole.example.com');
      expect(res.headers['cache-control']).toBe(ISSUER_CACHE_CONTROL);
    }
    expect(ISSUER_CACHE_CONTROL).toBe(`public, max-age=${JWKS_MAX_AGE_SECONDS}, must-revalidate`);
    expect(JWKS_MAX_AGE_SECONDS).toBeLessThanOrEqual(DEFAULT_PRE_PUBLISH_SECONDS);
  });

  it('answers HEAD without a body and refuses other methods', async () => {
    const head = await get('/oidc/jwks.json', 'porthole.example.com', 'HEAD');
    expect([head.status, head.body]).toEqual([200, '']);
    const post = await get('/oidc/jwks.json', 'porthole.example.com', 'POST');
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
  });

  it('other paths under that Host still meet the DNS-rebinding check', async () => {
    const res = await get('/porthole/api/session', 'porthole.example.com');
    expect(res.status).toBe(403);
  });

  it('reflects a rotation of the served key ring at once (served from memory, never cached server-side)', async () => {
    const now = Math.floor(Date.now() / 1000);
    const added = await porthole.issuer.keys.ring.rotate(now, { prePublishSeconds: 60 });
    const res = await get('/oidc/jwks.json', 'porthole.example.com');
    const kids = (JSON.parse(res.body) as { keys: Array<{ kid: string }> }).keys.map((k) => k.kid);
    expect(kids).toContain(added.key.kid);
    expect(kids).toHaveLength(2);
  });
});
