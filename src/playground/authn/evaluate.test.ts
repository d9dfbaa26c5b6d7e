// The authentication page's evaluator: the verdict and trace kube-apiserver would give, and markers where the
// configuration, the token or the JWKS is wrong.

import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeRawURL } from '../../policy/authn/jwt.ts';
import type { PlaygroundRequest } from '../evaluation.ts';
import { evaluateAuthnPage, type AuthnPageResult } from './evaluate.ts';
import { DOCS_TOKEN } from './examples.ts';

const NOW = '2009-11-10T23:00:00Z';
const NOW_UNIX = 1257894000;

const CONFIG = `apiVersion: apiserver.config.k8s.io/v1
kind: AuthenticationConfiguration
jwt:
- issuer:
    url: https://issuer.example.com
    audiences:
    - kubernetes
  claimValidationRules:
  - expression: 'claims.hd == "example.com"'
    message: the hosted domain must be example.com
  claimMappings:
    username:
      claim: email
      prefix: "oidc:"
    groups:
      expression: 'claims.groups.map(g, "idp:" + g)'
  userValidationRules:
  - expression: "!user.username.startsWith('system:')"
    message: no system users
`;

const CLAIMS = `iss: https://issuer.example.com
aud: kubernetes
sub: "1234"
email: jane@example.com
email_verified: true
hd: example.com
groups: [dev, ops]
exp: ${NOW_UNIX + 3600}
`;

const run = (docs: Record<string, string>, options: Record<string, string> = {}, version = '1.34') =>
  evaluateAuthnPage({
    page: 'authn',
    version: version as PlaygroundRequest['version'],
    docs: { config: CONFIG, claims: CLAIMS, token: '', jwks: '', ...docs },
    options: { now: NOW, tokenMode: 'claims', ...options },
  });

const steps = (r: AuthnPageResult) => r.trace.map((s) => `${s.step}:${s.outcome}`);

describe('claims mode', () => {
  it('authenticates as whom kubectl auth whoami would show, with every step in order', async () => {
    const { result, diagnostics } = await run({});
    expect(diagnostics).toEqual([]);
    expect(result.outcome).toBe('authenticated');
    expect(result.verdict).toEqual({
      authenticated: true,
      authenticator: 0,
      issuer: 'https://issuer.example.com',
      user: { username: 'oidc:jane@example.com', groups: ['idp:dev', 'idp:ops', 'system:authenticated'] },
      authenticatorUser: { username: 'oidc:jane@example.com', groups: ['idp:dev', 'idp:ops'] },
    });
    expect(steps(result)).toEqual([
      'issuer:pass',
      'audience:pass',
      'expiry:pass',
      'algorithm:pass',
      'signature:assumed',
      'email_verified:pass',
      'username:pass',
      'groups:pass',
      'claimValidationRule:pass',
      'userValidationRule:pass',
    ]);
    expect(result.token).toMatchObject({ signature: 'assumed', claims: { sub: '1234', exp: NOW_UNIX + 3600 } });
    expect(result.now).toEqual({ unix: NOW_UNIX, rfc3339: NOW, real: false });
    expect(result.decidedBy).toBeUndefined();
  });

  it('places each trace step on its rule in the configuration', async () => {
    const { result } = await run({});
    const rule = result.trace.find((s) => s.step === 'claimValidationRule')!;
    expect(rule.field).toBe('jwt[0].claimValidationRules[0].expression');
    expect(rule.range).toMatchObject({ startLineNumber: 9, startColumn: 17 });
    expect(result.trace.find((s) => s.step === 'audience')!.range).toMatchObject({ startLineNumber: 6 });
  });

  it('names the rule that rejected the token and marks it', async () => {
    const { result, diagnostics } = await run({ claims: CLAIMS.replace('hd: example.com', 'hd: evil.com') });
    expect(result.outcome).toBe('rejected');
    const error =
      'oidc: error evaluating claim validation expression: validation expression \'claims.hd == "example.com"\' failed: the hosted domain must be example.com';
    expect(result.verdict).toEqual({
      authenticated: false,
      authenticator: 0,
      issuer: 'https://issuer.example.com',
      error,
      status: 401,
    });
    expect(result.trace[result.decidedBy!]).toMatchObject({ step: 'claimValidationRule', outcome: 'fail' });
    expect(diagnostics).toEqual([
      {
        doc: 'config',
        severity: 'warning',
        message: `rejects the token: ${error}`,
        range: { startLineNumber: 9, startColumn: 17, endLineNumber: 9, endColumn: 45 },
      },
    ]);
  });

  it('an issuer no authenticator has: ignored, with the reason on the claims', async () => {
    const { result, diagnostics } = await run({
      claims: CLAIMS.replace('https://issuer.example.com', 'https://issuer.example.com/'),
    });
    expect(result.outcome).toBe('ignored');
    expect(result.verdict).toEqual({ authenticated: false, error: null, status: 401 });
    expect(result.trace[result.decidedBy!]).toMatchObject({ step: 'issuer', outcome: 'skip' });
    expect(diagnostics[0]).toMatchObject({
      doc: 'claims',
      severity: 'info',
      message: expect.stringMatching(/byte for byte/),
    });
  });

  it('claims that are not a mapping: a marker, no run', async () => {
    const { result, diagnostics } = await run({ claims: '- a\n' });
    expect(result.outcome).toBe('invalid-input');
    expect(diagnostics).toMatchObject([{ doc: 'claims', severity: 'error' }]);
  });

  it('the "now" option: RFC 3339, else a precise input error', async () => {
    expect((await run({}, { now: '2009-11-11T00:00:01Z' })).result.verdict).toMatchObject({
      error: 'oidc: verify token: oidc: token is expired (Token Expiry: 2009-11-11 00:00:00 +0000 UTC)',
    });
    const bad = await run({}, { now: 'tomorrow' });
    expect(bad.result).toMatchObject({
      outcome: 'invalid-input',
      inputError: expect.stringMatching(/^"now" must be an RFC 3339 time/),
    });
    const real = await run({}, { now: '' });
    expect(real.result.now.real).toBe(true);
    expect(Math.abs(real.result.now.unix - Date.now() / 1000)).toBeLessThan(5);
  });
});

describe('configuration markers', () => {
  it('a CEL compile error inside a quoted YAML string is marked at its own line and column', async () => {
    const config = CONFIG.replace(`'claims.hd == "example.com"'`, `'claims.hd == "example.com" && nope'`);
    const { result, diagnostics } = await run({ config });
    expect(result.outcome).toBe('invalid-config');
    expect(result.config).toMatchObject({ valid: false, stage: 'validate' });
    expect(result.config.error).toMatch(
      /^jwt\[0\]\.claimValidationRules\[0\]\.expression: Invalid value: .*undeclared reference to 'nope'/s,
    );
    // `nope` starts at column 48 of line 9: 17 for the opening quote + 31 characters of the expression.
    expect(diagnostics).toEqual([
      {
        doc: 'config',
        severity: 'error',
        message: "undeclared reference to 'nope' (in container '') (jwt[0].claimValidationRules[0].expression)",
        range: { startLineNumber: 9, startColumn: 48, endLineNumber: 9, endColumn: 49 },
      },
    ]);
  });

  it('a CEL error inside a block scalar is marked on the line inside the block', async () => {
    const config = CONFIG.replace(
      `expression: 'claims.groups.map(g, "idp:" + g)'`,
      'expression: |\n        claims.groups.map(g,\n          "idp:" + gg)',
    );
    const { diagnostics } = await run({ config });
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({
      message: expect.stringMatching(/^undeclared reference to 'gg'/),
      range: { startLineNumber: 18, startColumn: 20 },
    });
  });

  it('a field error is marked on the field; a missing required field on the mapping it belongs in', async () => {
    const config = CONFIG.replace('url: https://issuer.example.com', 'url: http://issuer.example.com').replace(
      '      prefix: "oidc:"\n',
      '',
    );
    const { result, diagnostics } = await run({ config });
    expect(result.config.errors.map((e) => e.field)).toEqual([
      'jwt[0].issuer.url',
      'jwt[0].claimMappings.username.prefix',
    ]);
    expect(diagnostics.map((d) => [d.message.split(':')[0], d.range.startLineNumber, d.range.startColumn])).toEqual([
      ['jwt[0].issuer.url', 5, 10],
      ['jwt[0].claimMappings.username.prefix', 12, 5],
    ]);
  });

  it("a load error: kube-apiserver's text, and the unknown field marked", async () => {
    const { result, diagnostics } = await run({ config: CONFIG.replace('    audiences:', '    audience:') });
    expect(result.config).toMatchObject({
      stage: 'load',
      error: 'strict decoding error: unknown field "jwt[0].issuer.audience"',
    });
    expect(diagnostics.map((d) => [d.message, d.range.startLineNumber])).toEqual([
      ['strict decoding error: unknown field "jwt[0].issuer.audience"', 1],
      ['unknown field "jwt[0].issuer.audience"', 6],
    ]);
  });

  it('a configuration with 1,000 issuers: the 64 limit, and no error of each issuer', async () => {
    const many = ['apiVersion: apiserver.config.k8s.io/v1', 'kind: AuthenticationConfiguration', 'jwt:'];
    for (let i = 0; i < 1000; i++)
      many.push(
        `- issuer: {url: "https://i${i}", audiences: [a]}`,
        '  claimMappings: {username: {claim: sub, prefix: ""}}',
      );
    const { result } = await run({ config: many.join('\n') });
    expect(result.config.errors).toHaveLength(1);
    expect(result.config.error).toBe('jwt: Too many: 1000: must have at most 64 items');
  });
});

describe('jwt mode', () => {
  let jwks: { keys: JWK[] };
  let otherJwks: { keys: JWK[] };
  let sign: (claims: Record<string, unknown>) => Promise<string>;
  const claims = {
    iss: 'https://issuer.example.com',
    aud: 'kubernetes',
    email: 'jane@example.com',
    email_verified: true,
    hd: 'example.com',
    groups: ['dev'],
    exp: NOW_UNIX + 60,
  };
  beforeAll(async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const other = await generateKeyPair('ES256', { extractable: true });
    jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256' }] };
    otherJwks = { keys: [{ ...(await exportJWK(other.publicKey)), kid: 'k1', alg: 'ES256' }] };
    sign = (c) => new SignJWT(c).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).sign(privateKey);
  });
  const jwt = (token: string, jwksText: string) => run({ token, jwks: jwksText }, { tokenMode: 'jwt' });

  it('a token signed by the pasted JWKS key: verified, with the decoded header and claims', async () => {
    const { result, diagnostics } = await jwt(`  ${await sign(claims)}\n`, JSON.stringify(jwks));
    expect(diagnostics).toEqual([]);
    expect(result.outcome).toBe('authenticated');
    expect(result.token).toEqual({ header: { alg: 'ES256', kid: 'k1' }, claims, signature: 'verified' });
  });

  it('another key: the signature error, the token still decoded', async () => {
    const { result } = await jwt(await sign(claims), JSON.stringify(otherJwks));
    expect(result.outcome).toBe('rejected');
    expect(result.verdict).toMatchObject({
      error: 'oidc: verify token: failed to verify signature: failed to verify id token signature',
    });
    expect(result.token).toMatchObject({
      header: { alg: 'ES256' },
      claims: { email: 'jane@example.com' },
      signature: 'failed',
    });
  });

  it('a JWKS with private key material: marked on the private member, never used', async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const leaked = { keys: [{ ...(await exportJWK(privateKey)), kid: 'k1' }] };
    const text = JSON.stringify(leaked, null, 2);
    const { result, diagnostics } = await jwt(await sign(claims), text);
    expect(result.outcome).toBe('invalid-input');
    expect(result.inputError).toMatch(/^JWKS keys\[0\] holds private key material \(d\)/);
    const d = diagnostics.find((x) => x.doc === 'jwks' && x.message.startsWith('"d" is private key material'))!;
    expect(text.split('\n')[d.range.startLineNumber - 1]!.trim().startsWith('"d"')).toBe(true);
  });

  it("the documentation's token against its own configuration: the audience error, before expiry or signature", async () => {
    const config = CONFIG.replace('https://issuer.example.com', 'https://example.com').replace(
      '- kubernetes',
      '- my-app',
    );
    const { result } = await run({ config, token: DOCS_TOKEN, jwks: '' }, { tokenMode: 'jwt', now: '' });
    expect(result.outcome).toBe('rejected');
    expect(result.verdict).toMatchObject({
      error: 'oidc: verify token: oidc: expected audience "my-app" got ["kubernetes"]',
    });
    expect(result.token.header).toEqual({
      alg: 'RS256',
      kid: 'f7t_m8DNZaSBMhXl9AvSXhAP-8cBfgBUlUiLnhBH1us',
      typ: 'JWT',
    });
    expect(result.token.claims).toMatchObject({ aud: 'kubernetes', username: 'foo', roles: 'user,admin' });
    expect(result.trace[result.decidedBy!]).toMatchObject({ step: 'audience', field: 'jwt[0].issuer.audiences' });
  });

  const header = encodeRawURL(JSON.stringify({ alg: 'RS256' }));
  const body = encodeRawURL(JSON.stringify(claims));
  const cases: [string, string, string, number][] = [
    [
      'two parts',
      `${header}.${body}`,
      'a compact JWT has 3 parts separated by "." (header.payload.signature); this has 2',
      1,
    ],
    [
      'standard base64 in the payload',
      `${header}.${body.slice(0, 5)}+${body.slice(6)}.sig`,
      'the payload (part 2) is not base64url: "+" at offset 5 (standard base64; JWTs use - and _)',
      header.length + 7,
    ],
    [
      'padding',
      `${header}=.${body}.sig`,
      'the header (part 1) has "=" padding: JWTs use base64url without padding',
      header.length + 1,
    ],
    [
      'a header that is not JSON',
      `${encodeRawURL('{alg')}.${body}.sig`,
      'the header (part 1) does not decode to JSON: ',
      1,
    ],
    [
      'a wrapped token',
      `${header}.${body.slice(0, 10)}\n${body.slice(10)}.sig`,
      'white space inside the token at offset ',
      header.length + 12,
    ],
  ];
  for (const [name, token, message, column] of cases) {
    it(`a malformed token (${name}): a precise marker on the token`, async () => {
      const { diagnostics } = await jwt(token, JSON.stringify(jwks));
      const d = diagnostics.find((x) => x.doc === 'token' && x.severity === 'error')!;
      expect(d.message.startsWith(message)).toBe(true);
      expect(d.range.startColumn).toBe(column);
    });
  }

  it('alg none and HS256: the unsupported-algorithm error, and the header marked', async () => {
    for (const alg of ['none', 'HS256']) {
      const token = `${encodeRawURL(JSON.stringify({ alg }))}.${body}.${alg === 'none' ? '' : 'c2ln'}`;
      const { result, diagnostics } = await jwt(token, JSON.stringify(jwks));
      expect(result.verdict).toMatchObject({
        error: `oidc: verify token: oidc: id token signed with unsupported algorithm, expected ["ES256" "ES384" "ES512" "PS256" "PS384" "PS512" "RS256" "RS384" "RS512"] got "${alg}"`,
      });
      expect(
        diagnostics.some((d) => d.doc === 'token' && d.message.startsWith(`alg "${alg}": kube-apiserver accepts only`)),
      ).toBe(true);
    }
  });

  it('a 5 MB token: refused before any authenticator', async () => {
    const { result, diagnostics } = await jwt(`${header}.${'a'.repeat(5 << 20)}.sig`, '');
    expect(result).toMatchObject({
      outcome: 'invalid-input',
      inputError: expect.stringMatching(/^the token is 5242\d+ bytes: kube-apiserver refuses/),
    });
    expect(diagnostics[0]).toMatchObject({ doc: 'token', severity: 'error' });
  });

  it('an empty token editor asks for a token', async () => {
    expect((await jwt('', '')).result).toMatchObject({
      outcome: 'invalid-input',
      inputError: 'paste a JWT in the token editor, or switch to claims',
    });
  });
});
