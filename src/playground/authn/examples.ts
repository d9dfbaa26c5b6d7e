// Starting points for the authentication page. The first is what a new page opens with. Each one is run by
// examples.test.ts for every version, so a title never promises what kube-apiserver would not do. They use
// apiVersion v1beta1 (registered in 1.30–1.34) except the documentation's own example, and a fixed "now" so a
// token in them never expires.

import type { PlaygroundExample } from '../examples.ts';

const NOW = '2025-06-01T12:00:00Z';
/** An hour after NOW, as Unix seconds. */
const EXP = 1748782800;

const header = (issuers: string) => `apiVersion: apiserver.config.k8s.io/v1beta1
kind: AuthenticationConfiguration
jwt:
${issuers}`;

/** The example token of kubernetes/website content/en/docs/reference/access-authn-authz/authentication.md. */
export const DOCS_TOKEN =
  'eyJhbGciOiJSUzI1NiIsImtpZCI6ImY3dF9tOEROWmFTQk1oWGw5QXZTWGhBUC04Y0JmZ0JVbFVpTG5oQkgxdXMiLCJ0eXAiOiJKV1QifQ.eyJhdWQiOiJrdWJlcm5ldGVzIiwiZXhwIjoxNzAzMjMyOTQ5LCJpYXQiOjE3MDExMDcyMzMsImlzcyI6Imh0dHBzOi8vZXhhbXBsZS5jb20iLCJqdGkiOiI3YzMzNzk0MjgwN2U3M2NhYTJjMzBjODY4YWMwY2U5MTBiY2UwMmRkY2JmZWJlOGMyM2I4YjVmMjdhZDYyODczIiwibmJmIjoxNzAxMTA3MjMzLCJyb2xlcyI6InVzZXIsYWRtaW4iLCJzdWIiOiJhdXRoIiwidGVuYW50IjoiNzJmOTg4YmYtODZmMS00MWFmLTkxYWItMmQ3Y2QwMTFkYjRhIiwidXNlcm5hbWUiOiJmb28ifQ.TBWF2RkQHm4QQz85AYPcwLxSk-VLvQW-mNDHx7SEOSv9LVwcPYPuPajJpuQn9C_gKq1R94QKSQ5F6UgHMILz8OfmPKmX_00wpwwNVGeevJ79ieX2V-__W56iNR5gJ-i9nn6FYk5pwfVREB0l4HSlpTOmu80gbPWAXY5hLW0ZtcE1JTEEmefORHV2ge8e3jp1xGafNy6LdJWabYuKiw8d7Qga__HxtKB-t0kRMNzLRS7rka_SfQg0dSYektuxhLbiDkqhmRffGlQKXGVzUsuvFw7IGM5ZWnZgEMDzCI357obHeM3tRqpn5WRjtB8oM7JgnCymaJi-P3iCd88iu1xnzA';

/** The same page's "Valid token" configuration, as published (apiVersion v1: only 1.34 registers it). */
const DOCS_CONFIG = `apiVersion: apiserver.config.k8s.io/v1
kind: AuthenticationConfiguration
jwt:
- issuer:
    url: https://example.com
    audiences:
    - my-app
  claimMappings:
    username:
      expression: 'claims.username + ":external-user"'
    groups:
      expression: 'claims.roles.split(",")'
    uid:
      expression: 'claims.sub'
    extra:
    - key: 'example.com/tenant'
      valueExpression: 'claims.tenant'
  userValidationRules:
  - expression: "!user.username.startsWith('system:')"
    message: 'username cannot used reserved system: prefix'
`;

/** The payload of DOCS_TOKEN, as YAML, for claims mode. */
const DOCS_CLAIMS = `aud: kubernetes
exp: 1703232949
iat: 1701107233
iss: https://example.com
jti: 7c337942807e73caa2c30c868ac0ce910bce02ddcbfebe8c23b8b5f27ad62873
nbf: 1701107233
roles: user,admin
sub: auth
tenant: 72f988bf-86f1-41af-91ab-2d7cd011db4a
username: foo
`;

/** Signed once with an ES256 key whose private half was then discarded; this is its public JWKS. */
const SIGNED_TOKEN =
  'eyJhbGciOiJFUzI1NiIsImtpZCI6ImlDdjhUNUdtMUtNZ21zU2trcXR1TXN4LXQxMnRKcFRoM2VqSkhTVllnNkEiLCJ0eXAiOiJKV1QifQ.eyJpc3MiOiJodHRwczovL2xvZ2luLmV4YW1wbGUuY29tIiwiYXVkIjoia3ViZXJuZXRlcyIsInN1YiI6ImY0YjJjMWQwIiwiZW1haWwiOiJqYW5lQGV4YW1wbGUuY29tIiwiZW1haWxfdmVyaWZpZWQiOnRydWUsImdyb3VwcyI6WyJkZXYiLCJvcHMiXSwianRpIjoiYTFiMmMzIiwiaWF0IjoxNzQ4Nzc1NjAwLCJuYmYiOjE3NDg3NzU2MDAsImV4cCI6MTc0ODc4MjgwMH0.6qlK2AyEj1C3MmOBqC7FKEUjXKy6-2e5x7M9BIvOK1trdRxf_RIlWTfFt-CdV2UltA2BFrKdjdTQumPf9pRK8w';
const SIGNED_JWKS = `{
  "keys": [
    {
      "kty": "EC",
      "crv": "P-256",
      "x": "yhcnmzxKfMwrPBEOk_Q9j2OrI9_Bn4amkdo1RX_7faE",
      "y": "RK7TUN7M7CMzV-6zfml-vKDV5MMW3ZRmCInAEBzl_1Q",
      "kid": "iCv8T5Gm1KMgmsSkkqtuMsx-t12tJpTh3ejJHSVYg6A",
      "alg": "ES256",
      "use": "sig"
    }
  ]
}
`;

const claims = (extra: string) => `iss: https://login.example.com
aud: kubernetes
sub: f4b2c1d0
exp: ${EXP}
${extra}`;

const claimsMode = { now: NOW, tokenMode: 'claims' };

export const AUTHN_EXAMPLES: readonly PlaygroundExample[] = [
  {
    id: 'email-domain',
    title: 'Restrict to an email domain',
    summary:
      'Username from a verified email, and a CEL rule that only lets @example.com in: authenticates as jane@example.com.',
    docs: {
      config: header(`- issuer:
    url: https://login.example.com
    audiences:
    - kubernetes
  claimValidationRules:
  - expression: 'claims.email.endsWith("@example.com")'
    message: only example.com accounts may use this cluster
  claimMappings:
    username:
      claim: email
      prefix: ""
`),
      claims: claims(`email: jane@example.com
email_verified: true
`),
      token: '',
      jwks: '',
    },
    options: claimsMode,
  },
  {
    id: 'group-prefix',
    title: 'Map groups with a prefix',
    summary:
      'The groups claim with an "oidc:" prefix, so no IdP group can pose as a cluster group: oidc:dev, oidc:ops.',
    docs: {
      config: header(`- issuer:
    url: https://login.example.com
    audiences:
    - kubernetes
  claimMappings:
    username:
      claim: sub
      prefix: "oidc:"
    groups:
      claim: groups
      prefix: "oidc:"
`),
      claims: claims(`groups:
- dev
- ops
`),
      token: '',
      jwks: '',
    },
    options: claimsMode,
  },
  {
    id: 'reject-system',
    title: 'Reject system: usernames',
    summary:
      'Nothing stops a JWT from mapping to system: names except userValidationRules: this token asks for system:admin and is rejected.',
    docs: {
      config: header(`- issuer:
    url: https://login.example.com
    audiences:
    - kubernetes
  claimMappings:
    username:
      expression: claims.preferred_username
    groups:
      expression: claims.groups
  userValidationRules:
  - expression: "!user.username.startsWith('system:')"
    message: "usernames may not start with system:"
  - expression: "user.groups.all(g, !g.startsWith('system:'))"
    message: "groups may not start with system:"
`),
      claims: claims(`preferred_username: "system:admin"
groups:
- system:masters
`),
      token: '',
      jwks: '',
    },
    options: claimsMode,
  },
  {
    id: 'multiple-issuers',
    title: 'Multiple issuers with different audiences',
    summary:
      'A corporate IdP for people and a CI issuer with two audiences (MatchAny); the token is picked by its iss: authenticates as ci:deploy-bot.',
    docs: {
      config: header(`- issuer:
    url: https://login.example.com
    audiences:
    - kubernetes
  claimMappings:
    username:
      claim: email
      prefix: ""
- issuer:
    url: https://ci.example.com
    audiences:
    - deploy
    - preview
    audienceMatchPolicy: MatchAny
  claimMappings:
    username:
      claim: sub
      prefix: "ci:"
    groups:
      expression: '["ci:" + claims.repository]'
`),
      claims: `iss: https://ci.example.com
aud: preview
sub: deploy-bot
repository: shop/web
exp: ${EXP}
`,
      token: '',
      jwks: '',
    },
    options: claimsMode,
  },
  {
    id: 'signed-token',
    title: 'A signed token and its JWKS',
    summary:
      'A compact JWT verified against the issuer’s public keys, as kube-apiserver does it: authenticates as jane@example.com, with the credential-id extra from jti (1.32+).',
    docs: {
      config: header(`- issuer:
    url: https://login.example.com
    audiences:
    - kubernetes
  claimMappings:
    username:
      claim: email
      prefix: ""
    groups:
      claim: groups
      prefix: "oidc:"
    uid:
      claim: sub
`),
      token: SIGNED_TOKEN,
      jwks: SIGNED_JWKS,
      claims: '',
    },
    options: { now: NOW, tokenMode: 'jwt' },
  },
  {
    id: 'docs-example',
    title: 'The Kubernetes documentation’s example (and why it fails)',
    summary:
      'The docs’ "Valid token" pair does not authenticate: its token has aud "kubernetes", the config wants "my-app". Fix that (in claims mode: the docs’ key is not published) and claims.roles.split(",") is refused as groups; on 1.30–1.33 apiVersion v1 does not even load.',
    docs: { config: DOCS_CONFIG, token: DOCS_TOKEN, jwks: '', claims: DOCS_CLAIMS },
    options: { now: '2023-11-28T00:00:00Z', tokenMode: 'jwt' },
  },
];
