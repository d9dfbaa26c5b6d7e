// `porthole authn --input FILE` end to end: every vector × version through the command's code path (the vector
// file written as JSON and as YAML, and each authenticate vector once more as a real RS256 token + JWKS), a few
// through the spawned CLI, and bad input files. The comparison is the one each vector asks for; the pass count
// per kind is printed at the end.

import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { stringify } from 'yaml';
import data from '../../src/policy/authn/testdata/authn-vectors.json' with { type: 'json' };
import { encodeRawURL } from '../../src/policy/authn/jwt.ts';
import type { AuthnResponse } from '../../src/policy/authn/run.ts';
import { expectationFor, mismatch, versionsOf, type Expectation, type Vector } from '../../src/policy/authn/vectors.ts';
import { authnCommand } from './authn.ts';

const vectors = data.vectors as unknown as (Vector & { kind: string })[];
const dir = mkdtempSync(join(tmpdir(), 'porthole-authn-'));
const tally: Record<string, { pass: number; total: number }> = {};
let fileNo = 0;

function write(content: string, ext: string): string {
  const path = join(dir, `input-${fileNo++}.${ext}`);
  writeFileSync(path, content);
  return path;
}

/** Runs the command in-process on a file, capturing the one line it prints. */
async function command(path: string): Promise<{ code: number; out: AuthnResponse }> {
  let printed = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    printed += String(chunk);
    return true;
  });
  try {
    const code = await authnCommand(['--input', path]);
    expect(printed.endsWith('\n') && !printed.slice(0, -1).includes('\n')).toBe(true);
    return { code, out: JSON.parse(printed) as AuthnResponse };
  } finally {
    spy.mockRestore();
  }
}

const wantCode = (want: Expectation) => (want.valid || want.user !== undefined ? 0 : want.stage === 'input' ? 2 : 1);

function check(kind: string, want: Expectation, got: { code: number; out: AuthnResponse }) {
  const t = (tally[kind] ??= { pass: 0, total: 0 });
  t.total++;
  expect(mismatch(want, got.out)).toBeUndefined();
  expect(got.code).toBe(wantCode(want));
  t.pass++;
}

let jwks: { keys: JWK[] };
let signRS256: (claims: Record<string, unknown>) => Promise<string>;

beforeAll(async () => {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: 'vector-key', alg: 'RS256', use: 'sig' }] };
  signRS256 = (claims) => new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'vector-key' }).sign(privateKey);
});

/** The vector's claims as the token the convention describes: RS256 by the JWKS key, unless tokenHeader says else. */
async function tokenFor(v: Vector): Promise<string> {
  const claims = v.claims ?? {};
  if (!v.tokenHeader) return signRS256(claims);
  // An algorithm the authenticator refuses never reaches the signature: any signature bytes will do.
  const header = { alg: 'RS256', kid: 'vector-key', ...v.tokenHeader };
  return `${encodeRawURL(JSON.stringify(header))}.${encodeRawURL(JSON.stringify(claims))}.c2lnbmF0dXJl`;
}

describe('every vector through porthole authn (in-process)', () => {
  for (const v of vectors) {
    for (const version of versionsOf(v)) {
      const want = expectationFor(v, version);
      it(`${v.id} @ ${version} (JSON file)`, async () => {
        check(v.kind, want, await command(write(JSON.stringify({ ...v, version }), 'json')));
      });
      it(`${v.id} @ ${version} (YAML file)`, async () => {
        check(v.kind, want, await command(write(stringify({ ...v, version }), 'yaml')));
      });
      if (v.kind === 'authenticate') {
        it(`${v.id} @ ${version} (signed token + JWKS)`, async () => {
          const { claims: _claims, tokenHeader: _header, ...rest } = v;
          const file = { ...rest, version, token: await tokenFor(v), jwks };
          check('authenticate (token)', want, await command(write(JSON.stringify(file), 'json')));
        });
      }
    }
  }
  afterAll(() => {
    const lines = Object.entries(tally).map(([k, t]) => `${k}: ${t.pass}/${t.total}`);
    console.log(`authn vectors through porthole authn (vector × version × file form) — ${lines.join(', ')}`);
  });
});

const exec = promisify(execFile);

/** The real command line, as `npm run --silent porthole -- authn --input FILE` runs it. */
async function spawned(path: string): Promise<{ code: number; out: AuthnResponse; stderr: string }> {
  try {
    const r = await exec(process.execPath, ['--import', 'tsx', 'server/cli.ts', 'authn', '--input', path]);
    return { code: 0, out: JSON.parse(r.stdout) as AuthnResponse, stderr: r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, out: JSON.parse(err.stdout) as AuthnResponse, stderr: err.stderr };
  }
}

describe('vectors through the spawned command line', () => {
  // One of each kind and outcome: spawning costs a second each, the in-process suite covers the rest.
  const picks = [
    'load-empty-file',
    vectors.find((v) => v.kind === 'validate' && v.expect.valid)?.id,
    vectors.find((v) => v.kind === 'validate' && typeof v.expect.error === 'string')?.id,
    vectors.find((v) => v.kind === 'authenticate' && v.expect.user !== undefined)?.id,
    vectors.find((v) => v.kind === 'authenticate' && typeof v.expect.error === 'string')?.id,
  ];
  for (const id of picks) {
    const v = vectors.find((x) => x.id === id)!;
    const version = versionsOf(v).at(-1)!;
    it(`${id} @ ${version}`, { timeout: 60_000 }, async () => {
      const got = await spawned(write(stringify({ ...v, version }), 'yaml'));
      expect(got.stderr).toBe('');
      const want = expectationFor(v, version);
      expect(mismatch(want, got.out)).toBeUndefined();
      expect(got.code).toBe(wantCode(want));
    });
  }
  it('a missing file: a message naming it, exit 2', { timeout: 60_000 }, async () => {
    const path = join(dir, 'nope.yaml');
    expect(await spawned(path)).toEqual({
      code: 2,
      out: { stage: 'input', error: `${path}: no such file` },
      stderr: '',
    });
  });
});

const config = {
  apiVersion: 'apiserver.config.k8s.io/v1beta1',
  kind: 'AuthenticationConfiguration',
  jwt: [{ issuer: { url: 'https://a', audiences: ['b'] }, claimMappings: { username: { claim: 'sub', prefix: '' } } }],
};

describe('bad input files: a precise message and exit code 2', () => {
  const cases: [string, string, string][] = [
    ['not a mapping', '- kind: load\n', 'the input must be a mapping (one vector), not a list'],
    ['broken JSON', '{"kind": "load",', 'not valid JSON: '],
    ['broken YAML', 'kind: [load\n', 'not valid YAML: '],
    ['no kind', 'configText: ""\n', '"kind" is required: load, validate or authenticate'],
    [
      'a wrong kind',
      'kind: verify\nconfigText: ""\n',
      '"kind" must be load, validate or authenticate, not string "verify"',
    ],
    [
      'an unquoted version',
      'kind: load\nversion: 1.30\nconfigText: ""\n',
      '"version" must be a string such as "1.34", not number 1.3 (quote it: YAML reads 1.30 as the number 1.3)',
    ],
    [
      'an unsupported version',
      'kind: load\nversion: "1.29"\nconfigText: ""\n',
      '"version" must be one of 1.30, 1.31, 1.32, 1.33, 1.34, not "1.29"',
    ],
    ['an unknown field', 'kind: load\nconfigTxt: ""\n', 'unknown field "configTxt" (known: '],
    ['no configuration', 'kind: validate\n', '"configText" (the file text) or "config" (the document) is required'],
    [
      'both configurations',
      'kind: validate\nconfigText: ""\nconfig: {}\n',
      'give "configText" (the file text) or "config" (the document), not both',
    ],
    [
      'authenticate without a token',
      JSON.stringify({ kind: 'authenticate', config }),
      'kind authenticate needs "token" (with "jwks") or "claims"',
    ],
    [
      'a token without JWKS',
      JSON.stringify({ kind: 'authenticate', config, token: 'a.b.c' }),
      '"token" needs "jwks": the issuer\'s public keys ({"keys": [...]})',
    ],
    [
      'claims that are a string',
      JSON.stringify({ kind: 'authenticate', config, claims: 'sub=x' }),
      '"claims" must be a mapping (the JWT payload), not string "sub=x"',
    ],
    [
      'a bad now',
      JSON.stringify({ kind: 'authenticate', config, claims: {}, now: 'yesterday' }),
      '"now" must be Unix seconds or an RFC 3339 time such as "2009-11-10T23:00:00Z", not string "yesterday"',
    ],
    [
      'service-account issuers that are not a list',
      JSON.stringify({ kind: 'validate', config, serviceAccountIssuers: 'https://a' }),
      '"serviceAccountIssuers" must be a list of strings (--service-account-issuer values)',
    ],
  ];
  for (const [name, content, message] of cases) {
    it(name, async () => {
      const path = write(content, content.startsWith('{') ? 'json' : 'yaml');
      const got = await command(path);
      expect(got.code).toBe(2);
      expect(got.out).toMatchObject({ stage: 'input' });
      expect((got.out as { error: string }).error.startsWith(`${path}: ${message}`)).toBe(true);
    });
  }
  it('an RFC 3339 now is read as that second', async () => {
    const claims = { iss: 'https://a', aud: 'b', sub: 'x', exp: 1257894000 };
    const at = (now: string) => command(write(JSON.stringify({ kind: 'authenticate', config, claims, now }), 'json'));
    expect((await at('2009-11-10T23:00:00Z')).out).toEqual({
      user: { username: 'x' },
      effectiveUser: { username: 'x', groups: ['system:authenticated'] },
    });
    expect((await at('2009-11-10T23:00:01Z')).out).toMatchObject({ stage: 'authenticate' });
  });
  it('--trace in the file adds the rule trace', async () => {
    const claims = { iss: 'https://a', aud: 'b', sub: 'x', exp: 1257897600 };
    const got = await command(
      write(JSON.stringify({ kind: 'authenticate', config, claims, now: 1257894000, trace: true }), 'json'),
    );
    expect((got.out as { trace: { step: string }[] }).trace.map((s) => s.step)).toEqual([
      'issuer',
      'audience',
      'expiry',
      'algorithm',
      'signature',
      'username',
    ]);
  });
  it('usage errors', async () => {
    let printed = '';
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => {
      printed += String(c);
      return true;
    });
    try {
      expect(await authnCommand([])).toBe(2);
      expect(await authnCommand(['--inpt', 'x'])).toBe(2);
    } finally {
      spy.mockRestore();
    }
    const [a, b] = printed
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { error: string });
    expect(a!.error).toMatch(/^usage: porthole authn --input FILE/);
    expect(b!.error).toMatch(/^unknown argument "--inpt"; usage:/);
  });
});
