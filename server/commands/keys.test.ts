// `porthole keys rotate|list --key-file F` (issue 8: keys "rotate on command"): a rotation adds a key published
// now and signing after the pre-publish wait, keeps the old one while its tokens may live, drops it after; the
// file stays 0600; a group-readable file is refused with the fix in the message (exit 1 from the CLI).

import { spawnSync } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from '../backend/serve-args.ts';
import { readKeyFile, writeKeyFile } from '../issuer/key-file.ts';
import { KeyRing } from '../issuer/key-ring.ts';
import { RETIRED_KEY_RETENTION_SECONDS } from '../issuer/lifetimes.ts';
import { PRIVATE_MEMBERS } from '../../src/policy/authn/jwt.ts';
import { keysCommand } from './keys.ts';

const T0 = 1_800_000_000;
const CLI = fileURLToPath(new URL('../cli.ts', import.meta.url));
let dir: string;
let file: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'porthole-keys-cli-'));
  file = join(dir, 'keys.json');
  await writeKeyFile(file, (await KeyRing.generate(T0)).all());
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function run(argv: string[], now: number): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await keysCommand(
    argv,
    (t) => (out += t),
    () => now,
  );
  return { code, out };
}

describe('porthole keys rotate', () => {
  it('adds a key, keeps the old one published, drops it once its tokens have expired', async () => {
    const [k1] = (await readKeyFile(file))!;
    const first = await run(['rotate', '--key-file', file, '--pre-publish', '60'], T0 + 100);
    expect(first.code).toBe(0);
    const afterFirst = (await readKeyFile(file))!;
    expect(afterFirst).toHaveLength(2);
    const k2 = afterFirst.find((r) => r.key.kid !== k1!.key.kid)!;
    expect(k2.activeFrom).toBe(T0 + 160);
    expect(first.out).toContain(
      `added ES256 key ${k2.key.kid}: published now, signing from ${new Date((T0 + 160) * 1000).toISOString()}`,
    );
    expect(first.out).toContain(`${k1!.key.kid}  ES256  signing`);
    expect(first.out).toContain(`${k2.key.kid}  ES256  pending`);
    expect((await stat(file)).mode & 0o777).toBe(0o600);

    // Still within K1's retention: a second rotation keeps all three.
    const soon = T0 + 160 + RETIRED_KEY_RETENTION_SECONDS - 1;
    expect((await run(['rotate', '--key-file', file, '--pre-publish', '0'], soon)).code).toBe(0);
    expect((await readKeyFile(file))!.map((r) => r.key.kid)).toContain(k1!.key.kid);
    // Past it: the next rotation prunes K1.
    const late = T0 + 160 + RETIRED_KEY_RETENTION_SECONDS;
    await run(['rotate', '--key-file', file, '--pre-publish', '0'], late);
    expect((await readKeyFile(file))!.map((r) => r.key.kid)).not.toContain(k1!.key.kid);
  });

  it('--drop-previous: the new key signs now and is the only one published', async () => {
    await run(['rotate', '--key-file', file, '--pre-publish', '60'], T0 + 1);
    const r = await run(['rotate', '--key-file', file, '--drop-previous'], T0 + 2);
    const records = (await readKeyFile(file))!;
    expect(records).toHaveLength(1);
    expect(records[0]!.activeFrom).toBe(T0 + 2);
    expect(r.out).toContain(`${records[0]!.key.kid}  ES256  signing`);
  });

  it('--algorithm RS256 switches the algorithm', async () => {
    const r = await run(['rotate', '--key-file', file, '--algorithm', 'RS256', '--pre-publish', '0'], T0 + 1);
    expect(r.out).toMatch(/added RS256 key/);
    expect((await readKeyFile(file))!.map((x) => x.key.alg)).toEqual(['ES256', 'RS256']);
  });

  it('list prints kids, algorithms and states, never a private member', async () => {
    await run(['rotate', '--key-file', file, '--pre-publish', '0'], T0 + 1);
    const r = await run(['list', '--key-file', file], T0 + 2);
    expect(r.out.trim().split('\n')).toHaveLength(2);
    expect(r.out).toMatch(/ES256 {2}retired \(signs from .*, published until /);
    const privateJwk = (
      JSON.parse(await readFile(file, 'utf8')) as { keys: Array<{ privateJwk: Record<string, string> }> }
    ).keys[0]!.privateJwk;
    for (const member of PRIVATE_MEMBERS) if (privateJwk[member]) expect(r.out).not.toContain(privateJwk[member]);
  });

  it.each([
    [['rotate'], /--key-file is required/],
    [['spin', '--key-file', 'x'], /unknown keys action "spin"/],
    [['rotate', '--key-file', 'x', '--algorithm', 'HS256'], /ES256 or RS256/],
    [['rotate', '--key-file', 'x', '--pre-publish', '-5'], /whole seconds/],
    [['list', '--key-file', 'x', '--pre-publish', '5'], /unknown flag: --pre-publish/],
    [['rotate', '--key-file', 'x', '--drop-previous', '--pre-publish', '5'], /cannot be combined/],
  ])('usage error for %j', async (argv, message) => {
    const attempt = run(argv, T0);
    await expect(attempt).rejects.toBeInstanceOf(UsageError);
    await expect(attempt).rejects.toThrow(message);
  });

  it('refuses a missing file rather than creating one at a mistyped path', async () => {
    await expect(run(['rotate', '--key-file', join(dir, 'typo.json')], T0)).rejects.toThrow(/no key file .*typo.json/);
  });

  it('from the command line: a group-readable key file exits 1 with the chmod fix, and the file is untouched', async () => {
    await chmod(file, 0o640);
    const before = await readFile(file, 'utf8');
    const r = spawnSync(process.execPath, ['--import', 'tsx', CLI, 'keys', 'rotate', '--key-file', file], {
      encoding: 'utf8',
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      `porthole keys: key file ${file} is accessible by group or others (mode 0640); it holds private signing keys, so Porthole refuses it: run chmod 600 ${file}\n`,
    );
    expect(await readFile(file, 'utf8')).toBe(before);
  });
});
