// The key file: the issuer's private keys, persisted so tokens and cluster trust survive a restart. It is a
// tier-0 secret (whoever holds it can be any prefixed identity on every cluster that trusts Porthole, spec §2.1
// "Cons"), so it is written with mode 0600 and a file that group or others can open is refused, as ssh does.

import { randomBytes } from 'node:crypto';
import { open, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { JWK } from 'jose';
import type { KeyRecord } from './key-ring.ts';
import { isSigningAlgorithm, signingKeyFromJwk } from './signing-key.ts';

export const KEY_FILE_KIND = 'PortholeIssuerKeys';

interface KeyFileEntry {
  kid: string;
  alg: string;
  createdAt: string;
  activeFrom: string;
  privateJwk: JWK;
}

interface KeyFileDocument {
  kind: typeof KEY_FILE_KIND;
  version: 1;
  keys: KeyFileEntry[];
}

export class KeyFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyFileError';
  }
}

/** A message when the mode lets group or others at the file; undefined when it is owner-only. */
export function permissionProblem(file: string, mode: number): string | undefined {
  if ((mode & 0o077) === 0) return undefined;
  const octal = (mode & 0o777).toString(8).padStart(4, '0');
  return `key file ${file} is accessible by group or others (mode ${octal}); it holds private signing keys, so Porthole refuses it: run chmod 600 ${file}`;
}

const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

function seconds(text: unknown, what: string): number {
  const ms = typeof text === 'string' ? Date.parse(text) : NaN;
  if (Number.isNaN(ms)) throw new KeyFileError(`${what} is not an RFC 3339 time`);
  return Math.floor(ms / 1000);
}

/** Reads and checks the key file; undefined when it does not exist. */
export async function readKeyFile(file: string): Promise<KeyRecord[] | undefined> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new KeyFileError(`cannot open key file ${file}: ${(error as Error).message}`);
  }
  let text: string;
  try {
    // Check the opened file itself, not the path: no window for a swap between the check and the read.
    const info = await handle.stat();
    if (!info.isFile()) throw new KeyFileError(`key file ${file} is not a regular file`);
    const problem = permissionProblem(file, info.mode);
    if (problem) throw new KeyFileError(problem);
    text = await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
  return parseKeyFile(file, text);
}

async function parseKeyFile(file: string, text: string): Promise<KeyRecord[]> {
  let doc: Partial<KeyFileDocument>;
  try {
    doc = JSON.parse(text) as Partial<KeyFileDocument>;
  } catch (error) {
    throw new KeyFileError(`key file ${file} is not JSON: ${(error as Error).message}`);
  }
  if (doc === null || typeof doc !== 'object' || doc.kind !== KEY_FILE_KIND || doc.version !== 1)
    throw new KeyFileError(`key file ${file} is not a Porthole issuer key file (kind ${KEY_FILE_KIND}, version 1)`);
  if (!Array.isArray(doc.keys) || doc.keys.length === 0) throw new KeyFileError(`key file ${file} holds no keys`);
  const records: KeyRecord[] = [];
  for (const [i, entry] of doc.keys.entries()) {
    const where = `key file ${file}: keys[${i}]`;
    if (!isSigningAlgorithm(entry?.alg)) throw new KeyFileError(`${where}: alg must be ES256 or RS256`);
    let key;
    try {
      key = await signingKeyFromJwk(entry.privateJwk, entry.alg);
    } catch (error) {
      throw new KeyFileError(`${where}: ${(error as Error).message}`);
    }
    // The kid is derived from the key; a stored kid that differs means the entry was edited by hand.
    if (entry.kid !== key.kid)
      throw new KeyFileError(`${where}: kid ${entry.kid} is not the key's thumbprint ${key.kid}`);
    records.push({
      key,
      createdAt: seconds(entry.createdAt, `${where}.createdAt`),
      activeFrom: seconds(entry.activeFrom, `${where}.activeFrom`),
    });
  }
  return records;
}

export function serializeKeyFile(records: readonly KeyRecord[]): string {
  const doc: KeyFileDocument = {
    kind: KEY_FILE_KIND,
    version: 1,
    keys: records.map((r) => ({
      kid: r.key.kid,
      alg: r.key.alg,
      createdAt: iso(r.createdAt),
      activeFrom: iso(r.activeFrom),
      privateJwk: r.key.privateJwk,
    })),
  };
  return JSON.stringify(doc, null, 2) + '\n';
}

/**
 * Writes the key file atomically with mode 0600: a new file beside it, then a rename, so a running server that
 * reloads it never reads half a file and the private keys are never, even briefly, in a wider-mode file.
 */
export async function writeKeyFile(file: string, records: readonly KeyRecord[]): Promise<void> {
  const temp = join(dirname(file), `.${basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temp, serializeKeyFile(records), { mode: 0o600, flag: 'wx' });
    const info = await stat(temp);
    const problem = permissionProblem(temp, info.mode);
    if (problem) throw new KeyFileError(problem);
    await rename(temp, file);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    if (error instanceof KeyFileError) throw error;
    throw new KeyFileError(`cannot write key file ${file}: ${(error as Error).message}`);
  }
}
