// `porthole keys`: the issuer's key file from the command line. `rotate` adds a key that is published at once
// and signs after the pre-publish wait; a running `porthole serve --key-file` picks the change up by itself.
// `list` shows each key's state. Neither ever prints a private member.

import { UsageError } from '../backend/serve-args.ts';
import { KeyRing } from '../issuer/key-ring.ts';
import { readKeyFile, writeKeyFile } from '../issuer/key-file.ts';
import { unixNow } from '../issuer/key-store.ts';
import { DEFAULT_PRE_PUBLISH_SECONDS } from '../issuer/lifetimes.ts';
import { isSigningAlgorithm, type SigningAlgorithm } from '../issuer/signing-key.ts';

export const KEYS_USAGE = `Manage the signing keys of Porthole's token issuer.

Usage:
  porthole keys rotate --key-file FILE [--algorithm ES256|RS256] [--pre-publish SECONDS | --drop-previous]
  porthole keys list --key-file FILE

rotate publishes a new key now and signs with it after --pre-publish seconds (default ${DEFAULT_PRE_PUBLISH_SECONDS}, the JWKS
max-age); the previous key stays published until every token it signed has expired, then rotate drops it.
--drop-previous is for a compromised key: the new key signs at once and every other key is unpublished now.
The key file must exist (porthole serve --key-file FILE creates it) and be readable by its owner only.
`;

interface KeysArgs {
  action: 'rotate' | 'list';
  keyFile: string;
  algorithm?: SigningAlgorithm;
  prePublishSeconds?: number;
  dropPrevious?: boolean;
}

function parseKeysArgs(argv: readonly string[]): KeysArgs | 'help' {
  const [action, ...rest] = argv;
  if (action === undefined || action === '-h' || action === '--help') return 'help';
  if (action !== 'rotate' && action !== 'list')
    throw new UsageError(`unknown keys action "${action}" (rotate or list)`);
  let keyFile: string | undefined;
  let algorithm: SigningAlgorithm | undefined;
  let prePublishSeconds: number | undefined;
  let dropPrevious = false;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (arg === '-h' || arg === '--help') return 'help';
    if (arg === '--drop-previous' && action === 'rotate') {
      dropPrevious = true;
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg : arg.slice(0, eq);
    const value = eq < 0 ? rest[++i] : arg.slice(eq + 1);
    if (value === undefined || value === '') throw new UsageError(`flag needs an argument: ${name}`);
    if (name === '--key-file') keyFile = value;
    else if (name === '--algorithm' && action === 'rotate') {
      if (!isSigningAlgorithm(value)) throw new UsageError(`--algorithm must be ES256 or RS256, not "${value}"`);
      algorithm = value;
    } else if (name === '--pre-publish' && action === 'rotate') {
      if (!/^[0-9]{1,6}$/.test(value)) throw new UsageError(`--pre-publish must be whole seconds, not "${value}"`);
      prePublishSeconds = Number(value);
    } else throw new UsageError(`unknown flag: ${name}`);
  }
  if (!keyFile) throw new UsageError('--key-file is required');
  if (dropPrevious && prePublishSeconds !== undefined)
    throw new UsageError('--drop-previous signs with the new key at once; it cannot be combined with --pre-publish');
  return {
    action,
    keyFile,
    ...(algorithm ? { algorithm } : {}),
    ...(prePublishSeconds !== undefined ? { prePublishSeconds } : {}),
    ...(dropPrevious ? { dropPrevious } : {}),
  };
}

const time = (seconds: number) => new Date(seconds * 1000).toISOString();

export async function keysCommand(
  argv: readonly string[],
  out: (text: string) => void = (t) => process.stdout.write(t),
  now: () => number = unixNow,
): Promise<number> {
  const args = parseKeysArgs(argv);
  if (args === 'help') {
    out(KEYS_USAGE);
    return 0;
  }
  const records = await readKeyFile(args.keyFile);
  if (!records) throw new Error(`no key file ${args.keyFile} (porthole serve --key-file ${args.keyFile} creates one)`);
  const ring = new KeyRing(records);
  const t = now();
  if (args.action === 'rotate') {
    const added = await ring.rotate(t, {
      ...(args.algorithm ? { alg: args.algorithm } : {}),
      ...(args.prePublishSeconds !== undefined ? { prePublishSeconds: args.prePublishSeconds } : {}),
      ...(args.dropPrevious ? { dropPrevious: true } : {}),
    });
    await writeKeyFile(args.keyFile, ring.all());
    out(`added ${added.key.alg} key ${added.key.kid}: published now, signing from ${time(added.activeFrom)}\n`);
  }
  for (const r of ring.all()) {
    const superseded = ring.supersededAt(r, t);
    const until = superseded === undefined ? '' : `, published until ${time(superseded + ring.retentionSeconds)}`;
    out(`${r.key.kid}  ${r.key.alg}  ${ring.state(r, t)} (signs from ${time(r.activeFrom)}${until})\n`);
  }
  return 0;
}
