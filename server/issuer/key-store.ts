// Where the key ring comes from: the key file when one is configured (created with a first key if absent,
// reloaded when `porthole keys rotate` rewrites it), else a key generated in memory that lives as long as the
// process (restarting then invalidates every token, which at ≤ 5 min lifetimes costs a re-mint, nothing more).

import { stat } from 'node:fs/promises';
import { KeyRing } from './key-ring.ts';
import { readKeyFile, writeKeyFile } from './key-file.ts';
import type { SigningAlgorithm } from './signing-key.ts';

export interface KeyStoreOptions {
  /** Persist keys here (JSON, mode 0600). */
  keyFile?: string;
  /** Algorithm of a key generated here (a key file's keys keep their own; rotate to change). */
  algorithm?: SigningAlgorithm;
  /** Unix seconds. */
  now?: () => number;
  log?: (line: string) => void;
}

export interface KeyStore {
  readonly ring: KeyRing;
  readonly keyFile: string | undefined;
  /** Re-reads the key file if it changed on disk; keeps the current keys (and logs why) when it cannot. */
  reloadIfChanged(): Promise<boolean>;
}

export const unixNow = (): number => Math.floor(Date.now() / 1000);

export async function openKeyStore(options: KeyStoreOptions = {}): Promise<KeyStore> {
  const now = options.now ?? unixNow;
  const log = options.log ?? (() => undefined);
  const file = options.keyFile;
  if (!file) {
    const ring = await KeyRing.generate(now(), options.algorithm);
    return { ring, keyFile: undefined, reloadIfChanged: () => Promise.resolve(false) };
  }
  let records = await readKeyFile(file);
  if (!records) {
    const ring = await KeyRing.generate(now(), options.algorithm);
    await writeKeyFile(file, ring.all());
    log(`issuer: created key file ${file} (${ring.signingKey(now()).alg}, kid ${ring.signingKey(now()).kid})`);
    records = [...ring.all()];
  }
  const ring = new KeyRing(records);
  let seen = await fingerprint(file);
  return {
    ring,
    keyFile: file,
    async reloadIfChanged() {
      const current = await fingerprint(file);
      if (current === seen) return false;
      try {
        const reloaded = await readKeyFile(file);
        if (!reloaded) throw new Error(`key file ${file} disappeared`);
        ring.replace(reloaded);
        seen = current;
        log(`issuer: reloaded key file ${file}; signing with kid ${ring.signingKey(now()).kid}`);
        return true;
      } catch (error) {
        // Keep serving with the keys we have: failing closed here would break every cluster at once.
        log(`issuer: keeping the current keys: ${(error as Error).message}`);
        seen = current;
        return false;
      }
    },
  };
}

async function fingerprint(file: string): Promise<string> {
  try {
    const s = await stat(file);
    return `${s.ino}:${s.size}:${s.mtimeMs}:${s.mode}`;
  } catch {
    return 'missing';
  }
}
