// The AuthenticationConfiguration `jwt[]` entry a cluster needs to trust Porthole's issuer (spec §2.1 example).
// The prefix lives here, in the cluster's claimMappings, not in the token: the cluster is the one that decides
// what a foreign issuer may call itself, so even a stolen signing key can only ever be `<prefix>…` identities
// there (spec §2.5 "blast radius"), and `sub`/`groups` in the token stay the login's own values.

import { stringify } from 'yaml';
import type { AuthenticationConfiguration, JWTAuthenticator } from '../../src/policy/authn/index.ts';
import { MAX_TOKEN_LIFETIME_SECONDS } from './lifetimes.ts';

export const DEFAULT_IDENTITY_PREFIX = 'porthole:';
/** The `extra` key carrying the session id into every kube-apiserver audit event (spec §2.1 correlation). */
export const SESSION_ID_EXTRA_KEY = 'porthole.dev/session-id';

export interface TrustOptions {
  issuer: string;
  /** This cluster's audience: one per cluster, so a token for one is useless on another. */
  audience: string;
  /** Prepended to username and groups; default `porthole:`. */
  prefix?: string;
  /** PEM, when the issuer's TLS certificate is not publicly trusted. */
  certificateAuthority?: string;
}

/** A message when the prefix would let a minted identity pass for a Kubernetes or an unprefixed one. */
export function prefixProblem(prefix: string): string | undefined {
  if (prefix === '') return 'the identity prefix must not be empty: minted users would share names with everyone else';
  if (prefix.startsWith('system:')) return 'the identity prefix must not start with "system:"';
  return undefined;
}

export function trustedIssuerEntry(options: TrustOptions): JWTAuthenticator {
  const prefix = options.prefix ?? DEFAULT_IDENTITY_PREFIX;
  const problem = prefixProblem(prefix);
  if (problem) throw new Error(problem);
  return {
    issuer: {
      url: options.issuer,
      audiences: [options.audience],
      ...(options.certificateAuthority ? { certificateAuthority: options.certificateAuthority } : {}),
    },
    claimValidationRules: [
      {
        expression: `claims.exp - claims.iat <= ${MAX_TOKEN_LIFETIME_SECONDS}`,
        message: `Porthole tokens live at most ${MAX_TOKEN_LIFETIME_SECONDS} seconds`,
      },
    ],
    claimMappings: {
      username: { claim: 'sub', prefix },
      groups: { claim: 'groups', prefix },
      uid: { claim: 'sub' },
      extra: [{ key: SESSION_ID_EXTRA_KEY, valueExpression: 'claims.sid' }],
    },
    userValidationRules: [
      { expression: "!user.username.startsWith('system:')", message: 'system identities are not allowed' },
      {
        expression: "user.groups.all(g, !g.startsWith('system:'))",
        message: 'system groups are not allowed',
      },
    ],
  };
}

/** A whole configuration file holding just that entry (`v1` from Kubernetes 1.34, `v1beta1` on 1.30–1.33). */
export function trustConfiguration(
  options: TrustOptions,
  apiVersion = 'apiserver.config.k8s.io/v1',
): AuthenticationConfiguration {
  return { apiVersion, kind: 'AuthenticationConfiguration', jwt: [trustedIssuerEntry(options)] };
}

export function trustConfigurationYaml(options: TrustOptions, apiVersion?: string): string {
  return stringify(trustConfiguration(options, apiVersion), { lineWidth: 0, singleQuote: true });
}
