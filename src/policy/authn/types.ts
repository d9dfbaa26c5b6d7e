// AuthenticationConfiguration (apiserver.config.k8s.io) as kube-apiserver decodes it: the versioned JSON shape,
// shared by v1alpha1, v1beta1 and v1 in 1.30–1.34. `null` and absent are kept apart where Kubernetes uses pointers.

export interface AuthenticationConfiguration {
  apiVersion: string;
  kind: string;
  jwt?: JWTAuthenticator[] | null;
  /** 1.31+. A pointer: absent is not the same as `{enabled: false}`. */
  anonymous?: AnonymousAuthConfig | null;
}

export interface AnonymousAuthConfig {
  enabled?: boolean;
  conditions?: { path?: string }[] | null;
}

export interface JWTAuthenticator {
  issuer?: Issuer;
  claimValidationRules?: ClaimValidationRule[] | null;
  claimMappings?: ClaimMappings;
  userValidationRules?: UserValidationRule[] | null;
}

export interface Issuer {
  url?: string;
  discoveryURL?: string | null;
  certificateAuthority?: string;
  audiences?: string[] | null;
  audienceMatchPolicy?: string;
  /** 1.34 only. */
  egressSelectorType?: string;
}

export interface ClaimValidationRule {
  claim?: string;
  requiredValue?: string;
  expression?: string;
  message?: string;
}

export interface PrefixedClaimOrExpression {
  claim?: string;
  /** Pointer: null/absent is "not set", "" is "no prefix". */
  prefix?: string | null;
  expression?: string;
}

export interface ClaimOrExpression {
  claim?: string;
  expression?: string;
}

export interface ExtraMapping {
  key?: string;
  valueExpression?: string;
}

export interface ClaimMappings {
  username?: PrefixedClaimOrExpression;
  groups?: PrefixedClaimOrExpression;
  uid?: ClaimOrExpression;
  extra?: ExtraMapping[] | null;
}

export interface UserValidationRule {
  expression?: string;
  message?: string;
}

/** The user a JWT authenticator produces (before the request chain adds system:authenticated). */
export interface UserInfo {
  username: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

export const VERSIONS = ['1.30', '1.31', '1.32', '1.33', '1.34'] as const;
export type Version = (typeof VERSIONS)[number];
export const DEFAULT_VERSION: Version = '1.34';

export function minor(version: string): number {
  return Number(version.split('.')[1]);
}

export function isVersion(v: unknown): v is Version {
  return typeof v === 'string' && (VERSIONS as readonly string[]).includes(v);
}
