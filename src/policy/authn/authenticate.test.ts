// Real tokens (signed with jose) and hostile input: what the vectors cannot express because they carry claims,
// not signatures. Each case names the spec rule it checks (../../../shared/specs/authn-config.md §6–7).

import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeRawURL } from './jwt.ts';
import { runAuthnRequest, type AuthnRequest } from './run.ts';

const NOW = 1257894000;
const config = {
  apiVersion: 'apiserver.config.k8s.io/v1beta1',
  kind: 'AuthenticationConfiguration',
  jwt: [
    {
      issuer: { url: 'https://auth.example.com', audiences: ['my-client'] },
      claimMappings: { username: { claim: 'sub', prefix: 'oidc:' } },
    },
  ],
};
const claims = { iss: 'https://auth.example.com', aud: 'my-client', sub: 'jane', exp: NOW + 3600 };

let jwks: { keys: JWK[] };
let otherJwks: { keys: JWK[] };
let sign: (payload: Record<string, unknown>, header?: Record<string, unknown>) => Promise<string>;

beforeAll(async () => {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const other = await generateKeyPair('ES256', { extractable: true });
  jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' }] };
  otherJwks = { keys: [{ ...(await exportJWK(other.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' }] };
  sign = (payload, header = {}) =>
    new SignJWT(payload).setProtectedHeader({ alg: 'ES256', kid: 'k1', ...header }).sign(privateKey);
});

const run = (r: Partial<AuthnRequest>) =>
  runAuthnRequest({ kind: 'authenticate', version: '1.34', config, now: NOW, ...r });

const unsigned = (header: Record<string, unknown>, payload: Record<string, unknown>, signature = '') =>
  `${encodeRawURL(JSON.stringify(header))}.${encodeRawURL(JSON.stringify(payload))}.${signature}`;

describe('signed tokens', () => {
  it('a token signed by the JWKS key authenticates', async () => {
    expect(await run({ token: await sign(claims), jwks })).toMatchObject({ user: { username: 'oidc:jane' } });
  });
  it('a token signed by another key fails the signature check', async () => {
    expect(await run({ token: await sign(claims), jwks: otherJwks })).toEqual({
      stage: 'authenticate',
      error: 'oidc: verify token: failed to verify signature: failed to verify id token signature',
    });
  });
  it('a token without kid is tried against every key', async () => {
    expect(await run({ token: await sign(claims, { kid: undefined }), jwks })).toMatchObject({
      user: { username: 'oidc:jane' },
    });
  });
  it('the audience is checked before the signature with one configured audience (§7.2)', async () => {
    expect(await run({ token: await sign({ ...claims, aud: 'x' }), jwks: otherJwks })).toEqual({
      stage: 'authenticate',
      error: 'oidc: verify token: oidc: expected audience "my-client" got ["x"]',
    });
  });
  it('nbf has 60 s of leeway, exp none (§7.4)', async () => {
    expect(await run({ token: await sign({ ...claims, nbf: NOW + 60 }), jwks })).toMatchObject({ user: {} });
    expect(await run({ token: await sign({ ...claims, nbf: NOW + 61 }), jwks })).toEqual({
      stage: 'authenticate',
      error:
        'oidc: verify token: oidc: current time 2009-11-10 23:00:00 +0000 UTC before the nbf (not before) time: 2009-11-10 23:01:01 +0000 UTC',
    });
    expect(await run({ token: await sign({ ...claims, exp: NOW - 1 }), jwks })).toMatchObject({
      stage: 'authenticate',
    });
    expect(await run({ token: await sign({ ...claims, exp: NOW }), jwks })).toMatchObject({ user: {} });
  });
  it('a trailing-slash issuer is not this authenticator’s: ignored, not an error (§7.1)', async () => {
    expect(await run({ token: await sign({ ...claims, iss: 'https://auth.example.com/' }), jwks })).toEqual({
      authenticated: false,
    });
  });
  it('the effective user gains system:authenticated, but not for system:anonymous (§6.1)', async () => {
    const ok = await run({ token: await sign(claims), jwks });
    expect(ok).toMatchObject({ effectiveUser: { groups: ['system:authenticated'] } });
    const anon = await run({
      token: await sign({ ...claims, sub: 'system:anonymous' }),
      jwks,
      config: { ...config, jwt: [{ ...config.jwt[0]!, claimMappings: { username: { claim: 'sub', prefix: '' } } }] },
    });
    expect(anon).toMatchObject({ effectiveUser: { username: 'system:anonymous' } });
    expect((anon as { effectiveUser: { groups?: string[] } }).effectiveUser.groups).toBeUndefined();
  });
  it('the trace lists the steps in kube-apiserver order', async () => {
    const r = await run({ token: await sign(claims), jwks, trace: true });
    const steps = (r as { trace: { step: string }[] }).trace.map((s) => s.step);
    expect(steps).toEqual(['issuer', 'audience', 'expiry', 'algorithm', 'signature', 'username']);
  });
});

describe('bad input, each a clear message', () => {
  it('a 5 MB token is refused before any parsing', async () => {
    const r = await run({ token: 'a'.repeat(5 * 1024 * 1024), jwks });
    expect(r).toMatchObject({ stage: 'input' });
    expect((r as { error: string }).error).toContain('431 Request Header Fields Too Large');
  });
  it('alg: none is an unsupported algorithm', async () => {
    expect(await run({ token: unsigned({ alg: 'none' }, claims), jwks })).toEqual({
      stage: 'authenticate',
      error:
        'oidc: verify token: oidc: id token signed with unsupported algorithm, expected ["ES256" "ES384" "ES512" "PS256" "PS384" "PS512" "RS256" "RS384" "RS512"] got "none"',
    });
  });
  it('an HS256 token is an unsupported algorithm, whatever its key', async () => {
    const r = await run({ token: unsigned({ alg: 'HS256', kid: 'k1' }, claims, 'c2ln'), jwks });
    expect((r as { error: string }).error).toMatch(/unsupported algorithm, .* got "HS256"$/);
  });
  it('a JWKS with private key fields is refused, naming them', async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const priv = { keys: [{ ...(await exportJWK(privateKey)), kid: 'k1' }] };
    const r = await run({ token: await sign(claims), jwks: priv });
    expect(r).toEqual({
      stage: 'input',
      error:
        "JWKS keys[0] holds private key material (d): paste the issuer's public keys only, never a private or symmetric key",
    });
  });
  it('a symmetric (oct) JWKS is refused', async () => {
    const r = await run({ token: await sign(claims), jwks: { keys: [{ kty: 'oct', k: 'c2VjcmV0' }] } });
    expect((r as { error: string }).error).toContain('private key material (k)');
  });
  it('1,000 issuers: the 64-authenticator limit, and no error of each issuer', async () => {
    const jwt = Array.from({ length: 1000 }, (_, i) => ({
      ...config.jwt[0]!,
      issuer: { url: `https://i${i}`, audiences: ['a'] },
    }));
    const r = await runAuthnRequest({ kind: 'validate', version: '1.34', config: { ...config, jwt } });
    expect(r).toEqual({ stage: 'validate', error: 'jwt: Too many: 1000: must have at most 64 items' });
  });
  it('a malformed header is a malformed jwt', async () => {
    const token = `e30K!.${encodeRawURL(JSON.stringify(claims))}.sig`;
    const r = await run({ token, jwks });
    expect((r as { error: string }).error).toMatch(/^oidc: verify token: oidc: malformed jwt: /);
  });
});
