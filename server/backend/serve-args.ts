// Flags of `porthole serve`, parsed strictly: an unknown flag, a missing value or a bad port is a usage error
// (exit 2) with a message that names it, in the style of kubectl's (cobra's) own.

import { issuerUrlProblem } from '../issuer/issuer-url.ts';
import { isSigningAlgorithm } from '../issuer/signing-key.ts';
import { prefixProblem } from '../issuer/trust-config.ts';
import { oidcIssuerProblem } from './oidc-login.ts';
import { checkOriginValue } from './origins.ts';
import type { PortholeOptions } from './server.ts';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const SERVE_USAGE = `Serve the Porthole web app, its API and the pass-through to Kubernetes clusters.

Without --kubeconfig an embedded local cluster (pods are local processes) is started and served as "local".

Usage:
  porthole serve [flags]

Flags:
      --host HOST                      address to listen on (default 127.0.0.1; others are reachable from the network)
      --port PORT                      port to listen on, 0 for any free one (default 8080)
      --kubeconfig FILE                serve the clusters of this kubeconfig (one per context) instead of the local cluster
      --write-local-kubeconfig FILE    write a kubeconfig for the local cluster (context "porthole-local") for kubectl
      --pods FILE                      the local cluster's pods (YAML; default server/local-cluster/pods.yaml)
      --allow-origin ORIGIN            also accept this browser Origin, e.g. http://localhost:5173 (repeatable)
      --issuer-url URL                 the https URL clusters reach Porthole's token issuer at (default https://HOST:PORT/oidc)
      --key-file FILE                  keep the issuer's signing keys in FILE (mode 0600; created if absent) across restarts
      --signing-algorithm ALG          ES256 (default) or RS256, for a newly generated signing key
      --identity-prefix PREFIX         the local cluster's prefix for Porthole users and groups (default "porthole:")
      --audit-log FILE                 append one JSON line per shell opened and closed to FILE (mode 0600; - for stdout;
                                       default: the server log, prefixed "audit ")
      --record-dir DIR                 record each shell's output (not its input) as asciicast v2 in DIR (mode 0700)
      --tls-cert-file FILE             serve https with this PEM certificate (chain); needs --tls-key-file
      --tls-key-file FILE              the PEM private key of --tls-cert-file (cookies become Secure and __Host-)

OpenID Connect login (authorization code flow with PKCE; the one-time login token keeps working):
      --oidc-issuer-url URL            the identity provider's issuer (https; http only on loopback)
      --oidc-client-id ID              Porthole's client id at the identity provider
      --oidc-client-secret-file FILE   the client secret, read from FILE; without it Porthole is a public client
      --oidc-redirect-url URL          the redirect URI registered at the provider
                                       (default http://HOST:PORT/porthole/api/oidc/callback)
      --oidc-scopes LIST               scopes to request, comma-separated (default openid,profile,email)
      --oidc-username-claim CLAIM      ID token claim that names the user (default sub; email needs email_verified)
      --oidc-groups-claim CLAIM        ID token claim that lists the user's groups (default groups)

Sessions:
      --session-idle-timeout DURATION  end a session after this long without requests or shell traffic (default 8h)
      --session-max-lifetime DURATION  end a session this long after login, whatever the activity (default 24h)
      --shell-idle-timeout DURATION    close a shell after this long without data either way (default 30m)
      --shell-max-duration DURATION    close a shell this long after it opened, whatever the activity (default 8h)
                                       (durations like 90s, 15m, 8h; a session's end closes its shells within 2 s)
  -h, --help                           help for serve
`;

export type ServeArgs =
  | { help: true }
  | {
      help: false;
      options: Pick<
        PortholeOptions,
        | 'host'
        | 'port'
        | 'kubeconfig'
        | 'writeLocalKubeconfig'
        | 'podsFile'
        | 'allowOrigins'
        | 'issuerUrl'
        | 'keyFile'
        | 'signingAlgorithm'
        | 'identityPrefix'
        | 'auditLog'
        | 'recordDir'
        | 'oidc'
        | 'sessions'
        | 'timing'
        | 'tlsCertFile'
        | 'tlsKeyFile'
      >;
    };

const VALUE_FLAGS = [
  '--host',
  '--port',
  '--kubeconfig',
  '--write-local-kubeconfig',
  '--pods',
  '--allow-origin',
  '--issuer-url',
  '--key-file',
  '--signing-algorithm',
  '--identity-prefix',
  '--audit-log',
  '--record-dir',
  '--oidc-issuer-url',
  '--oidc-client-id',
  '--oidc-client-secret-file',
  '--oidc-redirect-url',
  '--oidc-scopes',
  '--oidc-username-claim',
  '--oidc-groups-claim',
  '--session-idle-timeout',
  '--session-max-lifetime',
  '--shell-idle-timeout',
  '--shell-max-duration',
  '--tls-cert-file',
  '--tls-key-file',
] as const;
type ValueFlag = (typeof VALUE_FLAGS)[number];

function isValueFlag(name: string): name is ValueFlag {
  return (VALUE_FLAGS as readonly string[]).includes(name);
}

/** `90s`, `15m`, `8h`, `1h30m` → milliseconds; undefined when malformed or zero. */
export function parseDuration(value: string): number | undefined {
  if (!/^([0-9]+[hms])+$/.test(value)) return undefined;
  let ms = 0;
  for (const [, n, unit] of value.matchAll(/([0-9]+)([hms])/g)) {
    ms += Number(n) * (unit === 'h' ? 3_600_000 : unit === 'm' ? 60_000 : 1000);
  }
  return ms > 0 && Number.isSafeInteger(ms) ? ms : undefined;
}

type OidcFlags = Partial<NonNullable<PortholeOptions['oidc']>>;

export function parseServeArgs(argv: readonly string[]): ServeArgs {
  const options: Extract<ServeArgs, { help: false }>['options'] = {};
  const oidc: OidcFlags = {};
  const duration = (flag: string, value: string): number => {
    const ms = parseDuration(value);
    if (ms === undefined)
      throw new UsageError(`invalid argument "${value}" for "${flag}" flag: expected a duration like 90s, 15m or 8h`);
    return ms;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '-h' || arg === '--help') return { help: true };
    if (!arg.startsWith('-')) throw new UsageError(`unexpected argument "${arg}": serve takes flags only`);
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg : arg.slice(0, eq);
    if (!isValueFlag(name)) throw new UsageError(`unknown flag: ${name}`);
    let value: string;
    if (eq >= 0) {
      value = arg.slice(eq + 1);
    } else {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) throw new UsageError(`flag needs an argument: ${name}`);
      value = next;
      i++;
    }
    if (value === '') throw new UsageError(`flag needs a non-empty argument: ${name}`);
    switch (name) {
      case '--host':
        options.host = value;
        break;
      case '--port': {
        const port = /^[0-9]{1,5}$/.test(value) ? Number(value) : NaN;
        if (!(port >= 0 && port <= 65535)) {
          throw new UsageError(`invalid argument "${value}" for "--port" flag: must be an integer from 0 to 65535`);
        }
        options.port = port;
        break;
      }
      case '--kubeconfig':
        options.kubeconfig = value;
        break;
      case '--write-local-kubeconfig':
        options.writeLocalKubeconfig = value;
        break;
      case '--pods':
        options.podsFile = value;
        break;
      case '--issuer-url': {
        const problem = issuerUrlProblem(value);
        if (problem) throw new UsageError(`invalid argument for "--issuer-url" flag: ${problem}`);
        options.issuerUrl = value;
        break;
      }
      case '--key-file':
        options.keyFile = value;
        break;
      case '--audit-log':
        options.auditLog = value;
        break;
      case '--record-dir':
        options.recordDir = value;
        break;
      case '--identity-prefix': {
        const problem = prefixProblem(value);
        if (problem) throw new UsageError(`invalid argument for "--identity-prefix" flag: ${problem}`);
        options.identityPrefix = value;
        break;
      }
      case '--signing-algorithm':
        if (!isSigningAlgorithm(value))
          throw new UsageError(`invalid argument "${value}" for "--signing-algorithm" flag: must be ES256 or RS256`);
        options.signingAlgorithm = value;
        break;
      case '--oidc-issuer-url': {
        const problem = oidcIssuerProblem(value);
        if (problem) throw new UsageError(`invalid argument for "--oidc-issuer-url" flag: ${problem}`);
        oidc.issuerUrl = value;
        break;
      }
      case '--oidc-client-id':
        oidc.clientId = value;
        break;
      case '--oidc-client-secret-file':
        oidc.clientSecretFile = value;
        break;
      case '--oidc-redirect-url': {
        let url: URL | undefined;
        try {
          url = new URL(value);
        } catch {
          url = undefined;
        }
        if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.hash)
          throw new UsageError(`invalid argument "${value}" for "--oidc-redirect-url" flag: must be an http(s) URL`);
        oidc.redirectUri = value;
        break;
      }
      case '--oidc-scopes':
        oidc.scopes = value.split(/[\s,]+/).filter((scope) => scope !== '');
        break;
      case '--oidc-username-claim':
        oidc.claims = { ...oidc.claims, username: value };
        break;
      case '--oidc-groups-claim':
        oidc.claims = { ...oidc.claims, groups: value };
        break;
      case '--session-idle-timeout':
        options.sessions = { ...options.sessions, idleTimeoutMs: duration(name, value) };
        break;
      case '--session-max-lifetime':
        options.sessions = { ...options.sessions, absoluteTimeoutMs: duration(name, value) };
        break;
      case '--tls-cert-file':
        options.tlsCertFile = value;
        break;
      case '--tls-key-file':
        options.tlsKeyFile = value;
        break;
      case '--shell-idle-timeout':
        options.timing = { ...options.timing, idleTimeoutMs: duration(name, value) };
        break;
      case '--shell-max-duration': {
        const ms = duration(name, value);
        // setTimeout holds at most 2^31-1 ms (about 24.8 days).
        if (ms > 2 ** 31 - 1) throw new UsageError(`invalid argument "${value}" for "${name}" flag: at most 596h`);
        options.timing = { ...options.timing, maxDurationMs: ms };
        break;
      }
      case '--allow-origin': {
        const problem = checkOriginValue(value);
        if (problem) throw new UsageError(`invalid argument for "--allow-origin" flag: ${problem}`);
        (options.allowOrigins ??= []).push(value);
        break;
      }
    }
  }
  if (options.kubeconfig && options.writeLocalKubeconfig) {
    throw new UsageError('--write-local-kubeconfig applies to the local cluster and cannot be used with --kubeconfig');
  }
  if (options.kubeconfig && options.podsFile) {
    throw new UsageError('--pods applies to the local cluster and cannot be used with --kubeconfig');
  }
  if ((options.tlsCertFile === undefined) !== (options.tlsKeyFile === undefined)) {
    throw new UsageError('--tls-cert-file and --tls-key-file go together');
  }
  if (Object.keys(oidc).length > 0) {
    if (!oidc.issuerUrl) throw new UsageError('the --oidc-* flags need --oidc-issuer-url');
    if (!oidc.clientId) throw new UsageError('--oidc-issuer-url needs --oidc-client-id');
    options.oidc = { ...oidc, issuerUrl: oidc.issuerUrl, clientId: oidc.clientId };
  }
  return { help: false, options };
}
