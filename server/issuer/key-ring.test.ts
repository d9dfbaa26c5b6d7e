// The key ring through a rotation on an injected clock (token-broker-security §2.1 "Key rotation", §6 B7 on
// the issuer's side): the new key is published at once and signs after the pre-publish wait; the old one keeps
// being published until every token it signed has expired (lifetime + skew), then it is gone.

import { describe, expect, it } from 'vitest';
import { KeyRing } from './key-ring.ts';
import { MAX_TOKEN_LIFETIME_SECONDS, RETIRED_KEY_RETENTION_SECONDS, CLOCK_SKEW_SECONDS } from './lifetimes.ts';

const T0 = 1_800_000_000;

describe('key ring', () => {
  it('retention is the longest token lifetime plus the clock skew', () => {
    expect(RETIRED_KEY_RETENTION_SECONDS).toBe(MAX_TOKEN_LIFETIME_SECONDS + CLOCK_SKEW_SECONDS);
    expect(MAX_TOKEN_LIFETIME_SECONDS).toBeLessThanOrEqual(300);
  });

  it('B7: rotation publishes K2 at once, signs with it after the pre-publish wait, drops K1 after retention', async () => {
    const ring = await KeyRing.generate(T0);
    const k1 = ring.signingKey(T0);
    const added = await ring.rotate(T0 + 100, { prePublishSeconds: 60 });
    const k2 = added.key;
    expect(k2.kid).not.toBe(k1.kid);
    const kids = (t: number) => ring.jwks(t).keys.map((k) => k.kid);
    const steps: Array<[string, number, string, string[]]> = [
      ['before rotation took effect', T0 + 100, k1.kid, [k1.kid, k2.kid]],
      ['end of the pre-publish wait', T0 + 159, k1.kid, [k1.kid, k2.kid]],
      ['K2 signs', T0 + 160, k2.kid, [k1.kid, k2.kid]],
      [
        'K1 still published while its last tokens may live',
        T0 + 160 + RETIRED_KEY_RETENTION_SECONDS - 1,
        k2.kid,
        [k1.kid, k2.kid],
      ],
      ['K1 no longer published', T0 + 160 + RETIRED_KEY_RETENTION_SECONDS, k2.kid, [k2.kid]],
    ];
    for (const [what, t, signing, published] of steps) {
      expect(ring.signingKey(t).kid, what).toBe(signing);
      expect(kids(t), what).toEqual(published);
    }
    // The last K1 token was minted at T0+159 and expires at T0+159+300: K1 must be in the JWKS until then and
    // for the skew after it.
    const lastK1Expiry = T0 + 159 + MAX_TOKEN_LIFETIME_SECONDS;
    expect(kids(lastK1Expiry + CLOCK_SKEW_SECONDS - 1)).toContain(k1.kid);
  });

  it('states: pending until activation, then signing, then retired', async () => {
    const ring = await KeyRing.generate(T0);
    const [first] = ring.all();
    const next = await ring.rotate(T0, { prePublishSeconds: 10 });
    expect([ring.state(first!, T0), ring.state(next, T0)]).toEqual(['signing', 'pending']);
    expect([ring.state(first!, T0 + 10), ring.state(next, T0 + 10)]).toEqual(['retired', 'signing']);
    expect(ring.supersededAt(first!, T0 + 9)).toBeUndefined();
    expect(ring.supersededAt(first!, T0 + 10)).toBe(T0 + 10);
  });

  it('a rotation prunes keys whose tokens have all expired, and never the signing key', async () => {
    const ring = await KeyRing.generate(T0);
    await ring.rotate(T0, { prePublishSeconds: 0 });
    expect(ring.all()).toHaveLength(2);
    const t = T0 + RETIRED_KEY_RETENTION_SECONDS + 1;
    const third = await ring.rotate(t, { prePublishSeconds: 0 });
    // The first key went (retired long ago); the second is freshly retired and kept; the third signs.
    expect(ring.all()).toHaveLength(2);
    expect(ring.signingKey(t).kid).toBe(third.key.kid);
  });

  it('keeps the algorithm on rotation unless told otherwise (RS256 by option)', async () => {
    const ring = await KeyRing.generate(T0, 'ES256');
    const same = await ring.rotate(T0, { prePublishSeconds: 0 });
    expect(same.key.alg).toBe('ES256');
    const rsa = await ring.rotate(T0 + 1, { alg: 'RS256', prePublishSeconds: 0 });
    expect(rsa.key.alg).toBe('RS256');
    expect(ring.algorithms(T0 + 1)).toEqual(['ES256', 'RS256']);
  });

  it('refuses a negative or fractional pre-publish wait', async () => {
    const ring = await KeyRing.generate(T0);
    await expect(ring.rotate(T0, { prePublishSeconds: -1 })).rejects.toThrow(/whole number of seconds/);
    await expect(ring.rotate(T0, { prePublishSeconds: 1.5 })).rejects.toThrow(/whole number of seconds/);
  });
});

describe('key ring after a compromise', () => {
  it('dropPrevious: the new key signs at once and is the only one published', async () => {
    const ring = await KeyRing.generate(T0);
    await ring.rotate(T0 + 1, { prePublishSeconds: 60 });
    const fresh = await ring.rotate(T0 + 2, { dropPrevious: true });
    expect(ring.signingKey(T0 + 2).kid).toBe(fresh.key.kid);
    expect(ring.jwks(T0 + 2).keys.map((k) => k.kid)).toEqual([fresh.key.kid]);
  });
});
