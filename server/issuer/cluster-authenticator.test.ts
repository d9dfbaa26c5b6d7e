// A cluster trusting Porthole through the README's AuthenticationConfiguration entry, run by src/policy/authn
// (token-broker-security §6 B4–B7, as the local cluster sees them): the minted token maps to the prefixed user
// with the session id in extra; a token for another cluster, an expired one, one signed by a key we never
// published, `alg: none` and HS256-with-our-public-key are all refused; a rotation is followed.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SignJWT, exportSPKI, generateKeyPair, importJWK, type CryptoKey } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  CREDENTIAL_ID_KEY,
  loadAuthenticationConfiguration,
  validateAuthenticationConfiguration,
  VERSIONS,
} from '../../src/policy/authn/index.ts';
import { encodeRawURL } from '../../src/policy/authn/jwt.ts';
import { ConfigurationAuthenticator } from './cluster-authenticator.ts';
import { KeyRing } from './key-ring.ts';
import { RETIRED_KEY_RETENTION_SECONDS } from './lifetimes.ts';
import { TokenMinter } from './mint.ts';
import { publicSessionId } from './session-id.ts';
import {
  SESSION_ID_EXTRA_KEY,
  trustConfiguration,
  trustConfigurationYaml,
  trustedIssuerEntry,
} from './trust-config.ts';

const ISSUER = 'https://porthole.example.com/oidc';
const AUDIENCE = 'porthole:cluster-a';
const T0 = 1_800_000_000;
const ALICE = { subject: 'alice', groups: ['dev', 'ops'] };

async function cluster(options: { prefix?: string } = {}) {
  const clock = { now: T0 };
  const ring = await KeyRing.generate(T0);
  const minter = new TokenMinter({ issuer: ISSUER, ring, now: () => clock.now });
  const logs: string[] = [];
  const authenticator = new ConfigurationAuthenticator({
    jwks: { jwks: () => ring.jwks(clock.now) },
    now: () => clock.now,
    log: (l) => logs.push(l),
  });
  authenticator.configure(trustConfigurationYaml({ issuer: ISSUER, audience: AUDIENCE, ...options }));
  const mint = (audience = AUDIENCE, identity = ALICE) => minter.mint({ sessionId: 'cookie', identity, audience });
  return { clock, ring, minter, authenticator, logs, mint };
}

/** Same claims as a minted token, signed however the test wants. */
function forged(claims: Record<string, unknown> = {}) {
  const defaults = { iss: ISSUER, sub: 'mallory', aud: [AUDIENCE], iat: T0, exp: T0 + 300, groups: ['dev'], sid: 'x' };
  return new SignJWT({ ...defaults, ...claims });
}

describe('the trust entry', () => {
  it.each(VERSIONS)('loads and validates as Kubernetes %s would (v1 from 1.34, v1beta1 before)', (version) => {
    const apiVersion = version === '1.34' ? 'apiserver.config.k8s.io/v1' : 'apiserver.config.k8s.io/v1beta1';
    const loaded = loadAuthenticationConfiguration(
      trustConfigurationYaml({ issuer: ISSUER, audience: AUDIENCE }, apiVersion),
      version,
    );
    expect(loaded.ok).toBe(true);
    if (!loaded.ok) return;
    expect(validateAuthenticationConfiguration(loaded.config, { version }).error).toBeUndefined();
    expect(loaded.config).toEqual(trustConfiguration({ issuer: ISSUER, audience: AUDIENCE }, apiVersion));
  });

  it('the README shows exactly the entry Porthole generates, and it validates', () => {
    const readme = readFileSync(fileURLToPath(new URL('./README.md', import.meta.url)), 'utf8');
    const block = /```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBe(
      trustConfigurationYaml({ issuer: 'https://porthole.example.com/oidc', audience: 'porthole:prod-eu-1' }),
    );
    const loaded = loadAuthenticationConfiguration(block!, '1.34');
    expect(loaded.ok && validateAuthenticationConfiguration(loaded.config, { version: '1.34' }).error).toBeUndefined();
  });

  it('puts the prefix on username and groups in the cluster’s claimMappings', () => {
    const entry = trustedIssuerEntry({ issuer: ISSUER, audience: AUDIENCE, prefix: 'acme:' });
    expect(entry.claimMappings?.username).toEqual({ claim: 'sub', prefix: 'acme:' });
    expect(entry.claimMappings?.groups).toEqual({ claim: 'groups', prefix: 'acme:' });
    expect(entry.issuer?.audiences).toEqual([AUDIENCE]);
  });

  it.each(['', 'system:porthole:'])('refuses the prefix %j', (prefix) => {
    expect(() => trustedIssuerEntry({ issuer: ISSUER, audience: AUDIENCE, prefix })).toThrow(/prefix must not/);
  });

  it('a configuration kube-apiserver would refuse is refused, keeping the previous one', async () => {
    const { authenticator, mint } = await cluster();
    expect(() =>
      authenticator.configure(
        'apiVersion: apiserver.config.k8s.io/v1\nkind: AuthenticationConfiguration\njwt:\n- issuer: {url: "http://x"}\n',
      ),
    ).toThrow(/issuer.url/);
    expect(await authenticator.authenticateToken((await mint()).token)).not.toBeNull();
  });

  it('accepts nothing before it is configured', async () => {
    const ring = await KeyRing.generate(T0);
    const a = new ConfigurationAuthenticator({ jwks: { jwks: () => ring.jwks(T0) }, now: () => T0 });
    const token = (
      await new TokenMinter({ issuer: ISSUER, ring, now: () => T0 }).mint({
        sessionId: 's',
        identity: ALICE,
        audience: AUDIENCE,
      })
    ).token;
    expect(a.configured).toBe(false);
    expect(await a.authenticateToken(token)).toBeNull();
  });
});

describe('B4: a minted token maps to the prefixed user', () => {
  it('username, groups, uid and the session id in extra', async () => {
    const { authenticator, mint } = await cluster();
    const minted = await mint();
    const user = await authenticator.authenticateToken(minted.token);
    expect(user).toEqual({
      username: 'porthole:alice',
      uid: 'alice',
      groups: ['porthole:dev', 'porthole:ops', 'system:authenticated'],
      extra: {
        [SESSION_ID_EXTRA_KEY]: [publicSessionId('cookie')],
        // kube-apiserver's own correlation of the token: its jti (CREDENTIAL_ID_KEY).
        [CREDENTIAL_ID_KEY]: [`JTI=${minted.jti}`],
      },
    });
  });

  it('with a configured prefix', async () => {
    const { authenticator, mint } = await cluster({ prefix: 'acme-porthole:' });
    const user = await authenticator.authenticateToken((await mint()).token);
    expect(user?.username).toBe('acme-porthole:alice');
    expect(user?.groups).toContain('acme-porthole:dev');
  });
});

describe('B5: refused tokens', () => {
  it('a token minted for another cluster', async () => {
    const { authenticator, logs, mint } = await cluster();
    expect(await authenticator.authenticateToken((await mint('porthole:cluster-b')).token)).toBeNull();
    expect(logs.at(-1)).toContain('oidc: expected audience "porthole:cluster-a" got ["porthole:cluster-b"]');
  });

  it('an expired token: accepted until exp, refused after', async () => {
    const { clock, authenticator, logs, mint } = await cluster();
    const { token, expiresAt } = await mint();
    clock.now = expiresAt;
    expect(await authenticator.authenticateToken(token)).not.toBeNull();
    clock.now = expiresAt + 1;
    expect(await authenticator.authenticateToken(token)).toBeNull();
    expect(logs.at(-1)).toContain('oidc: token is expired');
  });

  it('a token signed by a key Porthole never published, even under a published kid', async () => {
    const { ring, authenticator } = await cluster();
    const { privateKey } = await generateKeyPair('ES256');
    for (const kid of ['unpublished', ring.signingKey(T0).kid]) {
      const token = await forged().setProtectedHeader({ alg: 'ES256', kid }).sign(privateKey);
      expect(await authenticator.authenticateToken(token), kid).toBeNull();
    }
  });

  it('alg: none', async () => {
    const { authenticator, logs } = await cluster();
    const payload = { iss: ISSUER, sub: 'mallory', aud: [AUDIENCE], iat: T0, exp: T0 + 300 };
    const token = `${encodeRawURL(JSON.stringify({ alg: 'none' }))}.${encodeRawURL(JSON.stringify(payload))}.`;
    expect(await authenticator.authenticateToken(token)).toBeNull();
    expect(logs.at(-1)).toContain('unsupported algorithm');
  });

  it('HS256 signed with our public key as the secret', async () => {
    const { ring, authenticator } = await cluster();
    const jwk = ring.signingKey(T0).publicJwk;
    const pem = await exportSPKI((await importJWK(jwk, 'ES256', { extractable: true })) as CryptoKey);
    for (const secret of [JSON.stringify(jwk), pem]) {
      const token = await forged()
        .setProtectedHeader({ alg: 'HS256', kid: jwk.kid! })
        .sign(new TextEncoder().encode(secret));
      expect(await authenticator.authenticateToken(token)).toBeNull();
    }
  });

  it('a token that lives longer than 5 minutes, though signed by our key (the cluster-side rule)', async () => {
    const { ring, authenticator, logs } = await cluster();
    const key = ring.signingKey(T0);
    const token = await forged({ exp: T0 + 301 })
      .setProtectedHeader({ alg: 'ES256', kid: key.kid })
      .sign(key.privateKey);
    expect(await authenticator.authenticateToken(token)).toBeNull();
    expect(logs.at(-1)).toContain('Porthole tokens live at most 300 seconds');
  });
});

describe('B6: no system: identity', () => {
  it('a token naming system:admin / system:masters (signed by our key) becomes a prefixed user', async () => {
    const { ring, authenticator } = await cluster();
    const key = ring.signingKey(T0);
    const token = await forged({ sub: 'system:admin', groups: ['system:masters'] })
      .setProtectedHeader({ alg: 'ES256', kid: key.kid })
      .sign(key.privateKey);
    const user = await authenticator.authenticateToken(token);
    expect(user?.username).toBe('porthole:system:admin');
    expect(user?.groups).toEqual(['porthole:system:masters', 'system:authenticated']);
  });

  it('with a hand-written empty prefix, the userValidationRules still refuse it', async () => {
    const { ring, authenticator, logs } = await cluster();
    const config = trustConfiguration({ issuer: ISSUER, audience: AUDIENCE });
    const mappings = config.jwt![0]!.claimMappings!;
    mappings.username!.prefix = '';
    mappings.groups!.prefix = '';
    authenticator.configure(JSON.stringify(config));
    const key = ring.signingKey(T0);
    const sign = (claims: Record<string, unknown>) =>
      forged(claims).setProtectedHeader({ alg: 'ES256', kid: key.kid }).sign(key.privateKey);
    expect(await authenticator.authenticateToken(await sign({ sub: 'system:admin', groups: [] }))).toBeNull();
    expect(logs.at(-1)).toContain('system identities are not allowed');
    expect(await authenticator.authenticateToken(await sign({ sub: 'bob', groups: ['system:masters'] }))).toBeNull();
    expect(logs.at(-1)).toContain('system groups are not allowed');
  });
});

describe('B7: key rotation as the cluster sees it', () => {
  it('K2 accepted as soon as it signs, K1 tokens until exp, then K1 gone from the JWKS', async () => {
    const { clock, ring, authenticator, mint } = await cluster();
    const k1Token = await mint();
    const k2 = await ring.rotate(T0, { prePublishSeconds: 0 });
    const k2Token = await mint();
    expect(k2Token.kid).toBe(k2.key.kid);
    expect(await authenticator.authenticateToken(k2Token.token)).not.toBeNull();
    expect(await authenticator.authenticateToken(k1Token.token)).not.toBeNull();
    clock.now = k1Token.expiresAt;
    expect(await authenticator.authenticateToken(k1Token.token)).not.toBeNull();
    clock.now = T0 + RETIRED_KEY_RETENTION_SECONDS;
    expect(ring.jwks(clock.now).keys.map((k) => k.kid)).toEqual([k2.key.kid]);
    // Even a K1 token the clock would still accept is refused once K1 is unpublished.
    const k1 = ring.all().find((r) => r.key.kid === k1Token.kid);
    expect(k1).toBeDefined();
    const late = await forged({ iat: clock.now, exp: clock.now + 300 })
      .setProtectedHeader({ alg: 'ES256', kid: k1Token.kid })
      .sign(k1!.key.privateKey);
    expect(await authenticator.authenticateToken(late)).toBeNull();
  });
});

describe('success cache (kube-apiserver --token-success-cache-ttl)', () => {
  it('remembers a success for 10 s, never past exp, and by digest only', async () => {
    const clock = { now: T0 };
    const ring = await KeyRing.generate(T0);
    let published = true;
    const a = new ConfigurationAuthenticator({
      jwks: { jwks: () => (published ? ring.jwks(clock.now) : { keys: [] }) },
      now: () => clock.now,
    });
    a.configure(trustConfigurationYaml({ issuer: ISSUER, audience: AUDIENCE }));
    const minter = new TokenMinter({ issuer: ISSUER, ring, now: () => clock.now });
    const { token } = await minter.mint({ sessionId: 's', identity: ALICE, audience: AUDIENCE });
    expect(await a.authenticateToken(token)).not.toBeNull();
    published = false;
    clock.now = T0 + 9;
    expect(await a.authenticateToken(token)).not.toBeNull();
    clock.now = T0 + 10;
    expect(await a.authenticateToken(token)).toBeNull();
    // A token that expires within the cache window is not remembered past its exp.
    published = true;
    const late = await minter.mint({ sessionId: 's', identity: ALICE, audience: AUDIENCE });
    clock.now = late.expiresAt - 2;
    expect(await a.authenticateToken(late.token)).not.toBeNull();
    clock.now = late.expiresAt + 1;
    expect(await a.authenticateToken(late.token)).toBeNull();
  });
});
