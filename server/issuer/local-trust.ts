// The local cluster's side of the trust: the audience Porthole mints for it. Its AuthenticationConfiguration is
// the same `jwt[]` entry the README shows for any cluster (trust-config.ts), evaluated by src/policy/authn.

/** `aud` of tokens for the embedded local cluster; a token for any other cluster is refused there. */
export const LOCAL_CLUSTER_AUDIENCE = 'porthole:local';
