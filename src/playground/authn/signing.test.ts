// The in-browser test issuer: the token it signs verifies against the JWKS it shows, through the same
// authenticator the page runs, and nothing private is ever in what it shows.

import { decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import { checkJwks, PRIVATE_MEMBERS } from '../../policy/authn/jwt.ts';
import { evaluateAuthnPage } from './evaluate.ts';
import { generateTestIssuerKey, SIGNING_ALGORITHMS, signClaimsYaml } from './signing.ts';

const NOW = 1257894000;
const config = `apiVersion: apiserver.config.k8s.io/v1
kind: AuthenticationConfiguration
jwt:
- issuer:
    url: https://test-issuer.example
    audiences: [kubernetes]
  claimMappings:
    username: {claim: sub, prefix: "test:"}
    groups: {claim: groups, prefix: ""}
`;
const claimsYaml = `iss: https://test-issuer.example
aud: kubernetes
sub: jane
groups: [dev]
exp: ${NOW + 3600}
`;

describe('signing claims with a key generated in the browser', () => {
  for (const alg of SIGNING_ALGORITHMS) {
    it(`${alg}: the token verifies against the public JWKS and authenticates`, async () => {
      const key = await generateTestIssuerKey(alg);
      const signed = await signClaimsYaml(claimsYaml, key);
      if (!signed.ok) throw new Error(signed.error);
      expect(decodeProtectedHeader(signed.token)).toEqual({ alg, kid: key.kid, typ: 'JWT' });
      expect(signed.claims).toEqual({
        iss: 'https://test-issuer.example',
        aud: 'kubernetes',
        sub: 'jane',
        groups: ['dev'],
        exp: NOW + 3600,
      });
      const jwks = JSON.parse(signed.jwksText) as { keys: Record<string, unknown>[] };
      expect(checkJwks(jwks)).toBeUndefined();
      expect(PRIVATE_MEMBERS.filter((m) => m in jwks.keys[0]!)).toEqual([]);
      const { result } = await evaluateAuthnPage({
        page: 'authn',
        version: '1.34',
        docs: { config, token: signed.token, jwks: signed.jwksText, claims: '' },
        options: { tokenMode: 'jwt', now: '2009-11-10T23:00:00Z' },
      });
      expect(result.token.signature).toBe('verified');
      expect(result.verdict).toMatchObject({ authenticated: true, user: { username: 'test:jane' } });
    });
  }

  it('a token from one generated key does not verify against another', async () => {
    const [a, b] = await Promise.all([generateTestIssuerKey(), generateTestIssuerKey()]);
    expect(a.kid).not.toBe(b.kid);
    const signed = await signClaimsYaml(claimsYaml, a);
    if (!signed.ok) throw new Error(signed.error);
    const { result } = await evaluateAuthnPage({
      page: 'authn',
      version: '1.34',
      docs: { config, token: signed.token, jwks: JSON.stringify({ keys: [{ ...b.jwks.keys[0], kid: a.kid }] }) },
      options: { tokenMode: 'jwt', now: '2009-11-10T23:00:00Z' },
    });
    expect(result.verdict).toMatchObject({
      error: 'oidc: verify token: failed to verify signature: failed to verify id token signature',
    });
  });

  it('the private key cannot be exported', async () => {
    const key = await generateTestIssuerKey('ES256');
    expect(key.privateKey.extractable).toBe(false);
  });

  const bad: [string, string, RegExp][] = [
    ['broken YAML', 'iss: [x\n', /^YAML: /],
    ['a list', '- iss\n', /^the claims must be a mapping/],
    ['an empty editor', '', /^the claims must be a mapping/],
    ['an infinite number', 'exp: .inf\n', /^claim exp is Infinity: JSON has no such number$/],
  ];
  for (const [name, text, message] of bad) {
    it(`claims that cannot be signed (${name}): a message, no token`, async () => {
      const signed = await signClaimsYaml(text, await generateTestIssuerKey());
      expect(signed.ok).toBe(false);
      expect(!signed.ok && signed.error).toMatch(message);
    });
  }
});
