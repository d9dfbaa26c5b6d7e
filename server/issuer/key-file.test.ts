// The key file (token-broker-security §2.1 "the signing key is a tier-0 secret"): written 0600 and atomically,
// read back to the same keys, refused with a clear message when group or others can open it, and refused when
// its content is not ours.

import { chmod, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KeyRing } from './key-ring.ts';
import { permissionProblem, readKeyFile, serializeKeyFile, writeKeyFile } from './key-file.ts';
import { openKeyStore } from './key-store.ts';

const T0 = 1_800_000_000;
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'porthole-keys-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('key file', () => {
  it('persists and reloads the same keys, times and kids (ES256 and RS256)', async () => {
    const ring = await KeyRing.generate(T0, 'ES256');
    await ring.rotate(T0 + 5, { alg: 'RS256', prePublishSeconds: 60 });
    const file = join(dir, 'keys.json');
    await writeKeyFile(file, ring.all());
    const back = await readKeyFile(file);
    expect(back?.map((r) => [r.key.kid, r.key.alg, r.createdAt, r.activeFrom])).toEqual(
      ring.all().map((r) => [r.key.kid, r.key.alg, r.createdAt, r.activeFrom]),
    );
    expect(back?.map((r) => r.key.publicJwk)).toEqual(ring.all().map((r) => r.key.publicJwk));
  });

  it('is written with mode 0600 and leaves no temporary file behind', async () => {
    const file = join(dir, 'keys.json');
    await writeKeyFile(file, (await KeyRing.generate(T0)).all());
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['keys.json']);
  });

  it.each([0o640, 0o604, 0o644, 0o660, 0o606])('refuses a file with mode %o, naming the fix', async (mode) => {
    const file = join(dir, 'keys.json');
    await writeKeyFile(file, (await KeyRing.generate(T0)).all());
    await chmod(file, mode);
    await expect(readKeyFile(file)).rejects.toThrow(
      `key file ${file} is accessible by group or others (mode 0${mode.toString(8)}); it holds private signing keys, so Porthole refuses it: run chmod 600 ${file}`,
    );
    // The server refuses to start with it, too.
    await expect(openKeyStore({ keyFile: file })).rejects.toThrow(/chmod 600/);
  });

  it('accepts 0600 and 0400', () => {
    expect(permissionProblem('f', 0o100600)).toBeUndefined();
    expect(permissionProblem('f', 0o100400)).toBeUndefined();
  });

  it('a missing file reads as absent; the key store then creates it with one key', async () => {
    const file = join(dir, 'new.json');
    expect(await readKeyFile(file)).toBeUndefined();
    const logs: string[] = [];
    const store = await openKeyStore({ keyFile: file, now: () => T0, log: (l) => logs.push(l) });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const reread = await readKeyFile(file);
    expect(reread?.map((r) => r.key.kid)).toEqual([store.ring.signingKey(T0).kid]);
    expect(logs.join('\n')).toContain(`created key file ${file}`);
    // A restart reads the same key: tokens and cluster trust survive it.
    const again = await openKeyStore({ keyFile: file, now: () => T0 });
    expect(again.ring.signingKey(T0).kid).toBe(store.ring.signingKey(T0).kid);
  });

  it('reloads the file when it changes on disk, and keeps its keys when the new file is refused', async () => {
    const file = join(dir, 'keys.json');
    const logs: string[] = [];
    const store = await openKeyStore({ keyFile: file, now: () => T0, log: (l) => logs.push(l) });
    expect(await store.reloadIfChanged()).toBe(false);
    const rotated = new KeyRing((await readKeyFile(file))!);
    const added = await rotated.rotate(T0, { prePublishSeconds: 0 });
    await writeKeyFile(file, rotated.all());
    expect(await store.reloadIfChanged()).toBe(true);
    expect(store.ring.signingKey(T0).kid).toBe(added.key.kid);
    await chmod(file, 0o644);
    expect(await store.reloadIfChanged()).toBe(false);
    expect(store.ring.signingKey(T0).kid).toBe(added.key.kid);
    expect(logs.at(-1)).toMatch(/keeping the current keys: .*chmod 600/);
  });

  it.each([
    ['not JSON', 'nope', /is not JSON/],
    ['another kind', JSON.stringify({ kind: 'Other', version: 1, keys: [] }), /is not a Porthole issuer key file/],
    ['no keys', JSON.stringify({ kind: 'PortholeIssuerKeys', version: 1, keys: [] }), /holds no keys/],
  ])('refuses %s', async (_what, text, message) => {
    const file = join(dir, 'keys.json');
    await writeFile(file, text, { mode: 0o600 });
    await expect(readKeyFile(file)).rejects.toThrow(message);
  });

  it('refuses an entry whose kid is not its key’s thumbprint, or whose key is public only', async () => {
    const file = join(dir, 'keys.json');
    const text = serializeKeyFile((await KeyRing.generate(T0)).all());
    await writeFile(file, text.replace(/"kid": "[^"]+"/, '"kid": "edited"'), { mode: 0o600 });
    await expect(readKeyFile(file)).rejects.toThrow(/kid edited is not the key's thumbprint/);
    const doc = JSON.parse(text) as { keys: Array<{ privateJwk: Record<string, unknown> }> };
    delete doc.keys[0]!.privateJwk.d;
    await writeFile(file, JSON.stringify(doc), { mode: 0o600 });
    await expect(readKeyFile(file)).rejects.toThrow(/has no private part/);
  });
});
