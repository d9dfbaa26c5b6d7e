// A Porthole cluster: where it is and how the backend authenticates to it. The browser never sees any of this
// except `name`, `server`, `local` and `error`. `upstream()` is the per-cluster credential provider; today it
// returns the operator's configured credential, or a token the issuer mints for the session's user.

import type { LoginIdentity } from '../issuer/identity.ts';

export interface UpstreamTLS {
  /** PEM of the CA(s) to trust; undefined = the system roots. */
  ca?: string;
  /** PEM client certificate and key (kubeconfig client-certificate / client-key). */
  cert?: string;
  key?: string;
  rejectUnauthorized: boolean;
  /** kubeconfig tls-server-name: the name the serving certificate is verified against. */
  servername?: string;
}

export interface UpstreamTarget {
  /** The cluster's base URL without a trailing slash (it may carry a path prefix, as Rancher's do). */
  server: string;
  tls: UpstreamTLS;
  /** Headers that carry the credential (`Authorization: Bearer …`); empty for client-certificate auth. */
  headers: Record<string, string>;
}

/** Who is asking; lets a credential provider mint per session (issue 8). */
export interface CredentialRequest {
  sessionId: string;
  /** Who the session speaks for (minted tokens carry it; a kubeconfig credential ignores it). */
  identity: LoginIdentity;
}

export interface Cluster {
  readonly name: string;
  readonly server: string;
  readonly local: boolean;
  /** The kubeconfig context's namespace, if it names one. */
  readonly namespace?: string;
  /** Set when the cluster cannot be used (unsupported auth, unreadable file…): shown, never silently dropped. */
  readonly error?: string;
  /** Resolves the target and credential for one upstream request; rejects with a precise message. */
  upstream(request: CredentialRequest): Promise<UpstreamTarget>;
}

/** The JSON `/porthole/api/clusters` shows for a cluster: no credential, ever. */
export function publicClusterInfo(cluster: Cluster): {
  name: string;
  server: string;
  local: boolean;
  namespace?: string;
  error?: string;
} {
  return {
    name: cluster.name,
    server: cluster.server,
    local: cluster.local,
    ...(cluster.namespace ? { namespace: cluster.namespace } : {}),
    ...(cluster.error ? { error: cluster.error } : {}),
  };
}

export function trimServer(server: string): string {
  return server.replace(/\/+$/, '');
}

/**
 * The embedded local cluster: its own CA, and either a token minted per session (`mint`, the issuer's; the local
 * cluster trusts it through its AuthenticationConfiguration) or its admin token with full access.
 */
export function localClusterEntry(
  local: { server: string; caData: string; token: string },
  mint?: (request: CredentialRequest) => Promise<string>,
): Cluster {
  const base = { server: trimServer(local.server), tls: { ca: local.caData, rejectUnauthorized: true } };
  const target: UpstreamTarget = { ...base, headers: { Authorization: `Bearer ${local.token}` } };
  return {
    name: 'local',
    server: local.server,
    local: true,
    upstream: mint
      ? async (request) => ({ ...base, headers: { Authorization: `Bearer ${await mint(request)}` } })
      : () => Promise.resolve(target),
  };
}

/** A cluster that is listed with its error and refuses every request with it. */
export function erroredCluster(name: string, server: string, error: string, namespace?: string): Cluster {
  return {
    name,
    server,
    local: false,
    error,
    ...(namespace ? { namespace } : {}),
    upstream: () => Promise.reject(new Error(error)),
  };
}
