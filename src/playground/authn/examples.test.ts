// Each example of the authentication page gives the outcome its title and summary promise, on every version.

import { describe, expect, it } from 'vitest';
import { CREDENTIAL_ID_KEY } from '../../policy/authn/authenticate.ts';
import { KUBE_VERSIONS, type KubeVersion } from '../state.ts';
import { evaluateAuthnPage, type AuthnPageResult } from './evaluate.ts';
import { AUTHN_EXAMPLES } from './examples.ts';

const example = (id: string) => AUTHN_EXAMPLES.find((e) => e.id === id)!;

const run = (
  id: string,
  version: KubeVersion,
  docs: Record<string, string> = {},
  options: Record<string, string> = {},
) => {
  const e = example(id);
  return evaluateAuthnPage({
    page: 'authn',
    version,
    docs: { ...e.docs, ...docs },
    options: { ...e.options, ...options },
  });
};

const minor = (v: KubeVersion) => Number(v.split('.')[1]);

/** What each example must give, by version. */
const expected: Record<string, (v: KubeVersion) => Partial<AuthnPageResult>> = {
  'email-domain': () => ({
    outcome: 'authenticated',
    verdict: {
      authenticated: true,
      authenticator: 0,
      issuer: 'https://login.example.com',
      user: { username: 'jane@example.com', groups: ['system:authenticated'] },
      authenticatorUser: { username: 'jane@example.com' },
    },
  }),
  'group-prefix': () => ({
    outcome: 'authenticated',
    verdict: {
      authenticated: true,
      authenticator: 0,
      issuer: 'https://login.example.com',
      user: { username: 'oidc:f4b2c1d0', groups: ['oidc:dev', 'oidc:ops', 'system:authenticated'] },
      authenticatorUser: { username: 'oidc:f4b2c1d0', groups: ['oidc:dev', 'oidc:ops'] },
    },
  }),
  'reject-system': () => ({
    outcome: 'rejected',
    verdict: {
      authenticated: false,
      authenticator: 0,
      issuer: 'https://login.example.com',
      error:
        "oidc: error evaluating user info validation rule: validation expression '!user.username.startsWith('system:')' failed: usernames may not start with system:",
      status: 401,
    },
  }),
  'multiple-issuers': () => ({
    outcome: 'authenticated',
    verdict: {
      authenticated: true,
      authenticator: 1,
      issuer: 'https://ci.example.com',
      user: { username: 'ci:deploy-bot', groups: ['ci:shop/web', 'system:authenticated'] },
      authenticatorUser: { username: 'ci:deploy-bot', groups: ['ci:shop/web'] },
    },
  }),
  'signed-token': (v) => {
    const user = {
      username: 'jane@example.com',
      uid: 'f4b2c1d0',
      groups: ['oidc:dev', 'oidc:ops'],
      ...(minor(v) >= 32 ? { extra: { [CREDENTIAL_ID_KEY]: ['JTI=a1b2c3'] } } : {}),
    };
    return {
      outcome: 'authenticated',
      token: {
        header: { alg: 'ES256', kid: 'iCv8T5Gm1KMgmsSkkqtuMsx-t12tJpTh3ejJHSVYg6A', typ: 'JWT' },
        claims: expect.objectContaining({ sub: 'f4b2c1d0', jti: 'a1b2c3' }) as Record<string, unknown>,
        signature: 'verified',
      },
      verdict: {
        authenticated: true,
        authenticator: 0,
        issuer: 'https://login.example.com',
        user: { ...user, groups: [...user.groups, 'system:authenticated'] },
        authenticatorUser: user,
      },
    };
  },
  'docs-example': (v) =>
    minor(v) >= 34
      ? {
          outcome: 'rejected',
          verdict: {
            authenticated: false,
            authenticator: 0,
            issuer: 'https://example.com',
            error: 'oidc: verify token: oidc: expected audience "my-app" got ["kubernetes"]',
            status: 401,
          },
        }
      : {
          outcome: 'invalid-config',
          config: {
            valid: false,
            stage: 'load',
            error:
              'no kind "AuthenticationConfiguration" is registered for version "apiserver.config.k8s.io/v1" in scheme "pkg/kubeapiserver/options/authentication.go"',
            errors: [],
            issuers: [],
          },
        },
};

describe('the authentication examples', () => {
  it('each has an expected outcome here, and the first opens a new page', () => {
    expect(AUTHN_EXAMPLES.map((e) => e.id).sort()).toEqual(Object.keys(expected).sort());
    expect(AUTHN_EXAMPLES[0]!.id).toBe('email-domain');
  });
  for (const e of AUTHN_EXAMPLES) {
    for (const version of KUBE_VERSIONS) {
      it(`${e.title} @ ${version}: ${e.summary}`, async () => {
        const { result, diagnostics } = await run(e.id, version);
        const want = expected[e.id]!(version);
        expect(result).toMatchObject(want);
        // The user exactly: no field more (a uid or extra the title does not promise) and none less.
        if (want.verdict) expect(result.verdict).toEqual(want.verdict);
        // Only the docs example is allowed markers: it is there to show what is wrong with it.
        if (e.id !== 'docs-example')
          expect(diagnostics.filter((d) => d.severity !== 'info')).toEqual(
            result.outcome === 'rejected' ? [expect.objectContaining({ severity: 'warning' })] : [],
          );
      });
    }
  }
});

describe('what the examples promise beyond their first outcome', () => {
  it('email domain: another domain is rejected with the rule’s message', async () => {
    const e = example('email-domain');
    const { result } = await run('email-domain', '1.34', {
      claims: e.docs.claims!.replace('jane@example.com', 'jane@evil.example'),
    });
    expect(result.verdict).toMatchObject({
      error:
        'oidc: error evaluating claim validation expression: validation expression \'claims.email.endsWith("@example.com")\' failed: only example.com accounts may use this cluster',
    });
  });

  it('docs example, audience fixed (claims mode): claims.roles.split(",") is refused as groups', async () => {
    const config = example('docs-example').docs.config!.replace('- my-app', '- kubernetes');
    const { result } = await run('docs-example', '1.34', { config }, { tokenMode: 'claims' });
    expect(result.verdict).toMatchObject({
      error: 'oidc: error evaluating group claim expression: expression must return a string or a list of strings',
    });
    expect(result.trace[result.decidedBy!]).toMatchObject({
      step: 'groups',
      field: 'jwt[0].claimMappings.groups.expression',
    });
  });

  it('docs example, audience and groups fixed: the user the docs show, with extra values as lists', async () => {
    const config = example('docs-example')
      .docs.config!.replace('- my-app', '- kubernetes')
      .replace(`'claims.roles.split(",")'`, `'claims.roles.split(",").map(r, r)'`);
    const { result } = await run('docs-example', '1.34', { config }, { tokenMode: 'claims' });
    expect(result.verdict).toMatchObject({
      authenticated: true,
      authenticatorUser: {
        username: 'foo:external-user',
        uid: 'auth',
        groups: ['user', 'admin'],
        extra: {
          'example.com/tenant': ['72f988bf-86f1-41af-91ab-2d7cd011db4a'],
          [CREDENTIAL_ID_KEY]: ['JTI=7c337942807e73caa2c30c868ac0ce910bce02ddcbfebe8c23b8b5f27ad62873'],
        },
      },
    });
  });

  it('docs example in jwt mode, audience fixed: the docs’ key is not published, so the JWKS is asked for', async () => {
    const config = example('docs-example').docs.config!.replace('- my-app', '- kubernetes');
    const { result } = await run('docs-example', '1.34', { config });
    expect(result).toMatchObject({
      outcome: 'invalid-input',
      inputError: 'JWKS must be a JSON object with a "keys" array',
    });
  });
});
