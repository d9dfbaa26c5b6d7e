// The identity an ID token's claims give a session (kube-apiserver's rules for the username and groups claims,
// Porthole's refusal of system: names), the returnTo rule, and the cookie forms over TLS.

import { describe, expect, it } from 'vitest';
import { DEFAULT_CLAIM_NAMES, identityFromClaims, safeReturnTo } from './oidc-claims.ts';
import { sessionCookie, clearedSessionCookie, sessionIdsFromCookies } from './sessions.ts';

describe('identityFromClaims', () => {
  it.each([
    {
      name: 'sub and a list of groups',
      claims: { sub: 'u-1', groups: ['dev', 'ops', 'dev'], preferred_username: 'alice' },
      want: { subject: 'u-1', groups: ['dev', 'ops'], displayName: 'alice' },
    },
    {
      name: 'groups as one string',
      claims: { sub: 'u-1', groups: 'dev' },
      want: { subject: 'u-1', groups: ['dev'], displayName: 'u-1' },
    },
    {
      name: 'no groups claim',
      claims: { sub: 'u-1', name: 'Alice' },
      want: { subject: 'u-1', groups: [], displayName: 'Alice' },
    },
    {
      name: 'groups null',
      claims: { sub: 'u-1', groups: null },
      want: { subject: 'u-1', groups: [], displayName: 'u-1' },
    },
  ])('$name', ({ claims, want }) => {
    const result = identityFromClaims(claims, DEFAULT_CLAIM_NAMES);
    expect(result).toEqual({
      ok: true,
      identity: { subject: want.subject, groups: want.groups },
      displayName: want.displayName,
    });
  });

  it.each([
    { name: 'no sub', claims: { groups: [] }, names: DEFAULT_CLAIM_NAMES, error: /no string claim "sub"/ },
    { name: 'empty sub', claims: { sub: '' }, names: DEFAULT_CLAIM_NAMES, error: /no string claim "sub"/ },
    {
      name: 'numeric username claim',
      claims: { sub: 'x', uid: 7 },
      names: { username: 'uid', groups: 'groups' },
      error: /"uid"/,
    },
    {
      name: 'email not verified',
      claims: { sub: 'x', email: 'a@example.com', email_verified: false },
      names: { username: 'email', groups: 'groups' },
      error: /not verified/,
    },
    {
      name: 'email_verified as the string "true"',
      claims: { sub: 'x', email: 'a@example.com', email_verified: 'true' },
      names: { username: 'email', groups: 'groups' },
      error: /not verified/,
    },
    {
      name: 'groups with a number',
      claims: { sub: 'x', groups: ['a', 1] },
      names: DEFAULT_CLAIM_NAMES,
      error: /neither a string nor a list/,
    },
    {
      name: 'a system: subject',
      claims: { sub: 'system:admin' },
      names: DEFAULT_CLAIM_NAMES,
      error: /reserved identity "system:admin"/,
    },
    {
      name: 'a system: group',
      claims: { sub: 'x', groups: ['system:masters'] },
      names: DEFAULT_CLAIM_NAMES,
      error: /system:masters/,
    },
  ])('refuses $name', ({ claims, names, error }) => {
    const result = identityFromClaims(claims, names);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(error);
  });

  it('a verified e-mail address can be the username', () => {
    const result = identityFromClaims(
      { sub: 'x', email: 'a@example.com', email_verified: true },
      { username: 'email', groups: 'groups' },
    );
    expect(result).toMatchObject({ ok: true, identity: { subject: 'a@example.com' } });
  });
});

describe('safeReturnTo', () => {
  it.each([
    [null, '/'],
    ['', '/'],
    ['/', '/'],
    ['/playground/authn?v=1.33#s=x', '/playground/authn?v=1.33#s=x'],
    ['//evil.com', '/'],
    ['///evil.com', '/'],
    ['/\\evil.com', '/'],
    ['https://evil.com/', '/'],
    ['javascript:alert(1)', '/'],
    ['%2F%2Fevil.com', '/'],
    ['/%2F%2Fevil.com', '/'],
    ['/%5Cevil.com', '/'],
    ['/a\nb', '/'],
    ['/%E0%A4%A', '/'],
    [`/${'a'.repeat(3000)}`, '/'],
  ])('%s → %s', (raw, want) => {
    expect(safeReturnTo(raw)).toBe(want);
  });
});

describe('session cookie over TLS', () => {
  it('is __Host-porthole_session with Secure, Path=/ and no Domain', () => {
    expect(sessionCookie('abc', true)).toBe('__Host-porthole_session=abc; HttpOnly; SameSite=Strict; Path=/; Secure');
    expect(clearedSessionCookie(true)).toBe(
      '__Host-porthole_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0; Secure',
    );
  });

  it('both names are read; the store decides which id is live', () => {
    expect(sessionIdsFromCookies('__Host-porthole_session=a; porthole_session=b; other=c')).toEqual(['a', 'b']);
  });
});
