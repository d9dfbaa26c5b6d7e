// Minting (token-broker-security §6 B3, B6 on Porthole's side, §4.4) and the per-(session, cluster) cache:
// decoded claims and header, lifetime, audience, size, the public session id; refusals; reuse and re-mint.

import { decodeJwt, decodeProtectedHeader, jwtVerify, createLocalJWKSet } from 'jose';
import { describe, expect, it } from 'vitest';
import type { LoginIdentity } from './identity.ts';
import { KeyRing } from './key-ring.ts';
import { MintRefused, TokenMinter } from './mint.ts';
import { publicSessionId } from './session-id.ts';
import { TokenCache } from './token-cache.ts';

const ISSUER = 'https://porthole.example.com/oidc';
const T0 = 1_800_000_000;
const ALICE: LoginIdentity = { subject: 'alice-sub-123', groups: ['dev', 'ops'] };

async function setup(alg: 'ES256' | 'RS256' = 'ES256') {
  const clock = { now: T0 };
  const ring = await KeyRing.generate(T0, alg);
  const minter = new TokenMinter({ issuer: ISSUER, ring, now: () => clock.now });
  return { clock, ring, minter };
}

describe('minted token (B3)', () => {
  it.each(['ES256', 'RS256'] as const)('%s: header and claims as the spec asks', async (alg) => {
    const { ring, minter } = await setup(alg);
    const minted = await minter.mint({ sessionId: 'cookie-secret', identity: ALICE, audience: 'porthole:prod' });
    const header = decodeProtectedHeader(minted.token);
    expect(header).toEqual({ alg, kid: ring.signingKey(T0).kid, typ: 'JWT' });
    const claims = decodeJwt(minted.token);
    expect(claims).toEqual({
      iss: ISSUER,
      sub: 'alice-sub-123',
      aud: ['porthole:prod'],
      groups: ['dev', 'ops'],
      sid: publicSessionId('cookie-secret'),
      iat: T0,
      nbf: T0 - 30,
      exp: T0 + 300,
      jti: minted.jti,
    });
    expect(claims.exp! - claims.iat!).toBeLessThanOrEqual(300);
    expect(claims.nbf!).toBeGreaterThanOrEqual(claims.iat! - 30);
    expect(claims).not.toHaveProperty('email');
    expect(Buffer.byteLength(minted.token)).toBeLessThan(4096);
    // It verifies against the published JWKS with the issuer and audience pinned.
    const verified = await jwtVerify(minted.token, createLocalJWKSet(ring.jwks(T0)), {
      issuer: ISSUER,
      audience: 'porthole:prod',
      algorithms: [alg],
      currentDate: new Date(T0 * 1000),
    });
    expect(verified.payload.sub).toBe('alice-sub-123');
  });

  it('a unique jti per token', async () => {
    const { minter } = await setup();
    const jtis = new Set<string>();
    for (let i = 0; i < 20; i++) jtis.add((await minter.mint({ sessionId: 's', identity: ALICE, audience: 'a' })).jti);
    expect(jtis.size).toBe(20);
  });

  it('the sid is a digest of the session id, never the cookie value itself', async () => {
    const { minter } = await setup();
    const minted = await minter.mint({ sessionId: 'the-cookie-value', identity: ALICE, audience: 'a' });
    expect(minted.token).not.toContain('the-cookie-value');
    expect(Buffer.from(minted.token.split('.')[1]!, 'base64url').toString()).not.toContain('the-cookie-value');
    expect(minted.sid).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(publicSessionId('another')).not.toBe(minted.sid);
  });

  it('signs with the key that signs now: after a rotation, the new kid', async () => {
    const { clock, ring, minter } = await setup();
    const added = await ring.rotate(T0, { prePublishSeconds: 60 });
    expect(
      decodeProtectedHeader((await minter.mint({ sessionId: 's', identity: ALICE, audience: 'a' })).token).kid,
    ).not.toBe(added.key.kid);
    clock.now = T0 + 60;
    expect(
      decodeProtectedHeader((await minter.mint({ sessionId: 's', identity: ALICE, audience: 'a' })).token).kid,
    ).toBe(added.key.kid);
  });

  it.each([0, 59, 301, 1.5])('refuses a configured lifetime of %s seconds', async (lifetimeSeconds) => {
    const ring = await KeyRing.generate(T0);
    expect(() => new TokenMinter({ issuer: ISSUER, ring, now: () => T0, lifetimeSeconds })).toThrow(/60 to 300/);
  });
});

describe('minting refuses (B6, ours)', () => {
  it.each<[string, LoginIdentity, RegExp]>([
    ['system:admin as subject', { subject: 'system:admin', groups: [] }, /reserved identity "system:admin"/],
    ['system:masters as a group', { subject: 'mallory', groups: ['system:masters'] }, /"system:masters"/],
    ['an empty subject', { subject: '', groups: [] }, /no subject/],
    ['an empty group', { subject: 'a', groups: [''] }, /empty or over-long/],
    ['a control character', { subject: 'a\nb', groups: [] }, /control character/],
    ['65 groups', { subject: 'a', groups: Array.from({ length: 65 }, (_, i) => `g${i}`) }, /at most 64/],
  ])('%s', async (_what, identity, message) => {
    const { minter } = await setup();
    const attempt = minter.mint({ sessionId: 's', identity, audience: 'a' });
    await expect(attempt).rejects.toBeInstanceOf(MintRefused);
    await expect(attempt).rejects.toThrow(message);
  });

  it('no audience', async () => {
    const { minter } = await setup();
    await expect(minter.mint({ sessionId: 's', identity: ALICE, audience: '' })).rejects.toThrow(/without an audience/);
  });
});

describe('token cache per (session, cluster)', () => {
  async function cached() {
    const s = await setup();
    return { ...s, cache: new TokenCache({ minter: s.minter, ring: s.ring, now: () => s.clock.now }) };
  }
  const req = (sessionId: string, audience: string) => ({ sessionId, identity: ALICE, audience });

  it('reuses a fresh token for the same session and cluster, mints apart for another of either', async () => {
    const { cache } = await cached();
    const a = await cache.token(req('s1', 'cluster-a'));
    expect((await cache.token(req('s1', 'cluster-a'))).token).toBe(a.token);
    expect((await cache.token(req('s1', 'cluster-b'))).token).not.toBe(a.token);
    expect((await cache.token(req('s2', 'cluster-a'))).token).not.toBe(a.token);
    expect(cache.size).toBe(3);
  });

  it('concurrent requests share one mint', async () => {
    const { cache } = await cached();
    const tokens = await Promise.all(Array.from({ length: 5 }, () => cache.token(req('s', 'a'))));
    expect(new Set(tokens.map((t) => t.token)).size).toBe(1);
  });

  it('re-mints once less than a minute is left, before the token expires', async () => {
    const { clock, cache } = await cached();
    const first = await cache.token(req('s', 'a'));
    clock.now = first.expiresAt - 60;
    expect((await cache.token(req('s', 'a'))).token).toBe(first.token);
    clock.now = first.expiresAt - 59;
    const second = await cache.token(req('s', 'a'));
    expect(second.token).not.toBe(first.token);
    expect(second.expiresAt).toBe(clock.now + 300);
  });

  it('re-mints as soon as the signing key changed', async () => {
    const { clock, ring, cache } = await cached();
    const first = await cache.token(req('s', 'a'));
    const added = await ring.rotate(clock.now, { prePublishSeconds: 0 });
    const second = await cache.token(req('s', 'a'));
    expect(second.token).not.toBe(first.token);
    expect(second.kid).toBe(added.key.kid);
  });

  it('forgets a session’s tokens when the session ends', async () => {
    const { cache } = await cached();
    const first = await cache.token(req('s1', 'a'));
    await cache.token(req('s1', 'b'));
    await cache.token(req('s2', 'a'));
    cache.forgetSession('s1');
    expect(cache.size).toBe(1);
    expect((await cache.token(req('s1', 'a'))).token).not.toBe(first.token);
  });

  it('a refused mint is not cached', async () => {
    const { cache } = await cached();
    await expect(
      cache.token({ sessionId: 's', identity: { subject: 'system:x', groups: [] }, audience: 'a' }),
    ).rejects.toThrow();
    expect(cache.size).toBe(0);
  });
});
