// Flags of `porthole serve`, parsed strictly: an unknown flag, a missing value or a bad port is a usage error
// (exit 2) with a message that names it, in the style of kubectl's (cobra's) own.

import { issuerUrlProblem } from '../issuer/issuer-url.ts';
import { isSigningAlgorithm } from '../issuer/signing-key.ts';
import { prefixProblem } from '../issuer/trust-config.ts';
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
] as const;
type ValueFlag = (typeof VALUE_FLAGS)[number];

function isValueFlag(name: string): name is ValueFlag {
  return (VALUE_FLAGS as readonly string[]).includes(name);
}

export function parseServeArgs(argv: readonly string[]): ServeArgs {
  const options: Extract<ServeArgs, { help: false }>['options'] = {};
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
  return { help: false, options };
}
