// The issuer inside `porthole serve`: --issuer-url and --key-file on the command line; keys that survive a
// restart; a key file group or others can read stops the server before it starts; `porthole keys rotate` on the
// running server's file shows up in its JWKS within seconds, the old kid still published.

import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseServeArgs } from '../backend/serve-args.ts';
import { startPorthole } from '../backend/server.ts';
import { keysCommand } from '../commands/keys.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'porthole-serve-keys-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const kids = async (url: string) =>
  ((await (await fetch(`${url}oidc/jwks.json`)).json()) as { keys: Array<{ kid: string }> }).keys.map((k) => k.kid);

describe('serve flags', () => {
  it('--issuer-url and --key-file', () => {
    expect(parseServeArgs(['--issuer-url', 'https://porthole.example.com/oidc', '--key-file=k.json'])).toEqual({
      help: false,
      options: { issuerUrl: 'https://porthole.example.com/oidc', keyFile: 'k.json' },
    });
  });

  it('--signing-algorithm RS256, and nothing but ES256 or RS256', () => {
    expect(parseServeArgs(['--signing-algorithm', 'RS256'])).toEqual({
      help: false,
      options: { signingAlgorithm: 'RS256' },
    });
    expect(() => parseServeArgs(['--signing-algorithm', 'HS256'])).toThrow('must be ES256 or RS256');
  });

  it('serves RS256 keys when asked', async () => {
    const p = await startPorthole({ port: 0, clusters: [], signingAlgorithm: 'RS256', log: () => undefined });
    try {
      const doc = (await (await fetch(`${p.url}oidc/.well-known/openid-configuration`)).json()) as Record<
        string,
        unknown
      >;
      expect(doc.id_token_signing_alg_values_supported).toEqual(['RS256']);
    } finally {
      await p.close();
    }
  });

  it('--identity-prefix, never empty or system:', () => {
    expect(parseServeArgs(['--identity-prefix', 'acme:'])).toEqual({
      help: false,
      options: { identityPrefix: 'acme:' },
    });
    expect(() => parseServeArgs(['--identity-prefix', 'system:x:'])).toThrow('must not start with "system:"');
  });

  it('refuses an issuer URL a cluster would refuse', () => {
    expect(() => parseServeArgs(['--issuer-url', 'http://porthole.example.com/oidc'])).toThrow(
      'invalid argument for "--issuer-url" flag: issuer URL http://porthole.example.com/oidc must use https',
    );
  });
});

describe('porthole serve --key-file', () => {
  it('keeps its signing key across a restart', async () => {
    const keyFile = join(dir, 'keys.json');
    const a = await startPorthole({ port: 0, clusters: [], keyFile, log: () => undefined });
    const first = await kids(a.url);
    await a.close();
    const b = await startPorthole({ port: 0, clusters: [], keyFile, log: () => undefined });
    try {
      expect(await kids(b.url)).toEqual(first);
    } finally {
      await b.close();
    }
  });

  it('B2/G2: two replicas on one key file publish the same JWKS; a token minted on one verifies on the other', async () => {
    const keyFile = join(dir, 'keys.json');
    const issuerUrl = 'https://porthole.example.com/oidc';
    const a = await startPorthole({ port: 0, clusters: [], keyFile, issuerUrl, log: () => undefined });
    const b = await startPorthole({ port: 0, clusters: [], keyFile, issuerUrl, log: () => undefined });
    try {
      const jwksA = await (await fetch(`${a.url}oidc/jwks.json`)).text();
      expect(await (await fetch(`${b.url}oidc/jwks.json`)).text()).toBe(jwksA);
      const { token } = await a.issuer.minter.mint({
        sessionId: 's',
        identity: { subject: 'alice', groups: [] },
        audience: 'porthole:x',
      });
      const verified = await jwtVerify(token, createLocalJWKSet(JSON.parse(jwksA) as JSONWebKeySet), {
        issuer: issuerUrl,
        audience: 'porthole:x',
        algorithms: ['ES256'],
      });
      expect(verified.payload.sub).toBe('alice');
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('refuses to start with a key file group or others can read', async () => {
    const keyFile = join(dir, 'keys.json');
    const a = await startPorthole({ port: 0, clusters: [], keyFile, log: () => undefined });
    await a.close();
    await chmod(keyFile, 0o644);
    await expect(startPorthole({ port: 0, clusters: [], keyFile, log: () => undefined })).rejects.toThrow(
      `key file ${keyFile} is accessible by group or others (mode 0644)`,
    );
  });

  it('picks up `porthole keys rotate` on its file while running, the old kid still published', async () => {
    const keyFile = join(dir, 'keys.json');
    const logs: string[] = [];
    const p = await startPorthole({ port: 0, clusters: [], keyFile, log: (l) => logs.push(l) });
    try {
      const [old] = await kids(p.url);
      let out = '';
      await keysCommand(['rotate', '--key-file', keyFile], (t) => (out += t));
      const added = /added ES256 key (\S+):/.exec(out)?.[1];
      expect(added).toBeDefined();
      const deadline = Date.now() + 10_000;
      let now = await kids(p.url);
      while (!now.includes(added!) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
        now = await kids(p.url);
      }
      expect(now).toEqual([old, added]);
      expect(logs.some((l) => l.includes(`reloaded key file ${keyFile}`))).toBe(true);
    } finally {
      await p.close();
    }
  });
});
