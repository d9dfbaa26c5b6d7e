// Who a minted token speaks for: the login's stable subject and groups, as the login produced them, without any
// prefix. The prefix is the cluster's to apply (its AuthenticationConfiguration claimMappings): see README.md.

export interface LoginIdentity {
  /** The stable subject of the login (an IdP `sub`, not an e-mail address: spec §2.1 minting sketch). */
  readonly subject: string;
  readonly groups: readonly string[];
}

const SYSTEM_PREFIX = 'system:';
const MAX_NAME_BYTES = 256;
const MAX_GROUPS = 64;

/**
 * A message when Porthole refuses to mint for this identity. `system:` names are refused even though every
 * cluster's prefix would turn them into `<prefix>system:…`: a cluster configured with an empty prefix must still
 * never receive a `system:` identity from us (spec §6 B6 "our minting refuses as well", §2.4 kube-oidc-proxy).
 */
export function identityProblem(identity: LoginIdentity): string | undefined {
  const names = [identity.subject, ...identity.groups];
  if (identity.subject === '') return 'the login has no subject';
  if (identity.groups.length > MAX_GROUPS)
    return `the login has ${identity.groups.length} groups (at most ${MAX_GROUPS})`;
  for (const name of names) {
    if (name.startsWith(SYSTEM_PREFIX)) return `the login names the reserved identity ${JSON.stringify(name)}`;
    if (name === '' || Buffer.byteLength(name, 'utf8') > MAX_NAME_BYTES)
      return `the login has an empty or over-long name (1 to ${MAX_NAME_BYTES} bytes)`;
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f]/.test(name)) return 'the login has a name with a control character';
  }
  return undefined;
}
