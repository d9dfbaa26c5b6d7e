import { describe, expect, it } from 'vitest';
import { deflateSync, strToU8 } from 'fflate';
import {
  MAX_COMPRESSED_BYTES,
  MAX_DECOMPRESSED_BYTES,
  MAX_LINK_CHARS,
  decodeShareFragment,
  encodeShareFragment,
  isShareFragment,
} from './codec.ts';
import { fromBase64url, toBase64url } from './base64url.ts';
import { linkWarnings } from './warnings.ts';
import type { PlaygroundState } from '../state.ts';

const state: PlaygroundState = {
  page: 'cel',
  version: '1.32',
  docs: { expression: 'object.spec.replicas <= 5 && "ü" != "😀"', vars: 'object:\n  spec:\n    replicas: 3\n' },
  options: { env: 'validation' },
};

/** A fragment whose payload is `json` compressed, as a hand-made (possibly hostile) link would be. */
function fragmentOf(json: string): string {
  return 's=1.' + toBase64url(deflateSync(strToU8(json)));
}

function errorOf(fragment: string): string {
  const r = decodeShareFragment(fragment);
  if (r.ok) throw new Error(`decoded: ${JSON.stringify(r.state)}`);
  return r.error;
}

describe('share link round trip', () => {
  it('decodes what it encodes, with or without the #', () => {
    const fragment = encodeShareFragment(state);
    expect(fragment).toMatch(/^s=1\.[A-Za-z0-9_-]+$/);
    expect(decodeShareFragment(fragment)).toEqual({ ok: true, state, dropped: [] });
    expect(decodeShareFragment('#' + fragment)).toEqual({ ok: true, state, dropped: [] });
  });

  it('compresses: a repetitive 100 kB document makes a short link', () => {
    const big = { ...state, docs: { vars: 'items:\n' + '  - name: a\n    value: b\n'.repeat(4000) } };
    const fragment = encodeShareFragment(big);
    expect(fragment.length).toBeLessThan(2000);
    const r = decodeShareFragment(fragment);
    expect(r.ok && r.state.docs.vars).toBe(big.docs.vars);
  });

  it('base64url has no padding and refuses other alphabets', () => {
    const bytes = new Uint8Array([0xfb, 0xff, 0xfe, 0x00, 0x01]);
    expect(toBase64url(bytes)).toBe('-__-AAE');
    expect(fromBase64url('-__-AAE')).toEqual(bytes);
    expect(fromBase64url('+//+AAE=')).toBeUndefined();
    expect(fromBase64url('A')).toBeUndefined();
  });

  it('recognises a share fragment but not a login fragment', () => {
    expect(isShareFragment('#s=1.abc')).toBe(true);
    expect(isShareFragment('#login=abc')).toBe(false);
  });
});

describe('hostile or broken links get a precise message', () => {
  const cases: { name: string; fragment: () => string; error: string }[] = [
    { name: 'not a share link', fragment: () => 'x=1', error: 'not a Porthole share link (expected #s=1.…)' },
    {
      name: 'a newer format',
      fragment: () => 's=2.AAAA',
      error: 'uses share format 2, and this Porthole reads format 1',
    },
    {
      name: 'a payload that is not base64url',
      fragment: () => 's=1.<script>alert(1)</script>',
      error: 'payload is not base64url',
    },
    {
      name: 'a truncated payload',
      fragment: () => encodeShareFragment(state).slice(0, 40),
      error: 'cut short',
    },
    {
      name: 'bytes that are not deflate',
      fragment: () => 's=1.' + toBase64url(strToU8('{"page":"cel"}')),
      error: 'compressed data',
    },
    { name: 'content that is not JSON', fragment: () => fragmentOf('{"page": cel'), error: 'content is not JSON' },
    { name: 'JSON that is not an object', fragment: () => fragmentOf('[1,2]'), error: 'content is not an object' },
    {
      name: 'an unknown page',
      fragment: () => fragmentOf('{"page":"javascript:alert(1)","version":"1.34"}'),
      error: '"page" must be one of cel, authn, admission',
    },
    {
      name: 'an unknown version',
      fragment: () => fragmentOf('{"page":"cel","version":"1.29"}'),
      error: '"version" must be one of 1.30, 1.31, 1.32, 1.33, 1.34',
    },
    {
      name: 'a document that is not text',
      fragment: () => fragmentOf('{"page":"cel","version":"1.34","docs":{"expression":{"toString":1}}}'),
      error: '"docs.expression" must be text',
    },
    {
      name: 'an option outside its values',
      fragment: () => fragmentOf('{"page":"cel","version":"1.34","options":{"env":"<img src=x onerror=alert(1)>"}}'),
      error: '"options.env" must be one of validation, mutation, matchCondition, authn',
    },
    {
      name: 'a link longer than the cap',
      fragment: () => 's=1.' + 'A'.repeat(MAX_LINK_CHARS),
      error: `the limit is ${MAX_LINK_CHARS}`,
    },
  ];
  it.each(cases)('$name', ({ fragment, error }) => {
    const message = errorOf(fragment());
    expect(message.startsWith('Cannot open this share link: ')).toBe(true);
    expect(message).toContain(error);
  });

  it('a decompression bomb stops at the cap instead of expanding (1 GB of zeros would be ~1 MB compressed)', () => {
    // 64 kB of compressed zeros expands to ~64 MB: under the compressed cap, far over the decompressed one.
    const zeros = new Uint8Array(64 * 1024 * 1024);
    const compressed = deflateSync(zeros, { level: 9 });
    expect(compressed.length).toBeLessThan(MAX_COMPRESSED_BYTES);
    const before = process.memoryUsage().arrayBuffers;
    const message = errorOf('s=1.' + toBase64url(compressed));
    expect(message).toContain(`expands past ${MAX_DECOMPRESSED_BYTES / 1024 / 1024} MiB`);
    // Stopping early means the output never existed: far less than the 64 MB it would have been.
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 * 1024 * 1024);
  });

  it('a 1 GB bomb is refused by the compressed-size cap before any inflation', () => {
    const payload = new Uint8Array(MAX_COMPRESSED_BYTES + 1);
    expect(errorOf('s=1.' + toBase64url(payload))).toContain(`the limit is ${MAX_COMPRESSED_BYTES}`);
  });

  it('drops unknown keys and never copies __proto__ or constructor', () => {
    const r = decodeShareFragment(
      fragmentOf(
        '{"page":"cel","version":"1.34","extra":1,"__proto__":{"polluted":true},' +
          '"docs":{"expression":"1","__proto__":"x","constructor":"y","nope":"z"},' +
          '"options":{"__proto__":"validation","colour":"red"}}',
      ),
    );
    expect(r).toEqual({
      ok: true,
      state: { page: 'cel', version: '1.34', docs: { expression: '1' }, options: {} },
      dropped: [
        'extra',
        '__proto__',
        'docs.__proto__',
        'docs.constructor',
        'docs.nope',
        'options.__proto__',
        'options.colour',
      ],
    });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    if (r.ok) expect(Object.getPrototypeOf(r.state.docs)).toBe(Object.prototype);
  });

  it('keeps script-looking text as plain text (it is only ever shown as editor text)', () => {
    const hostile = { ...state, docs: { expression: '"</script><script>alert(1)</script>"' } };
    const r = decodeShareFragment(encodeShareFragment(hostile));
    expect(r.ok && r.state.docs.expression).toBe(hostile.docs.expression);
  });
});

describe('copy-link warnings', () => {
  it('warns about a long link', () => {
    expect(linkWarnings(state, 'x'.repeat(9000)).long).toBe(
      'This link is 9,000 characters long; many chat tools and browsers cut links longer than 8,000.',
    );
    expect(linkWarnings(state, 'x'.repeat(100)).long).toBeUndefined();
  });

  it.each([
    ['a signed JWT', 'eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJodHRwczovL2V4YW1wbGUifQ.c2lnbmF0dXJlc2lnbmF0dXJlc2ln'],
    ['a private key', '-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n'],
    ['a private JWK', '{"kty":"EC","crv":"P-256","x":"abc","d":"c2VjcmV0c2VjcmV0c2VjcmV0"}'],
    ['a bearer token', 'Authorization: Bearer abcdefghijklmnopqrstuvwxyz'],
    ['a password or client secret', 'clientSecret: hunter2hunter2'],
  ])('warns about %s', (what, text) => {
    expect(linkWarnings({ ...state, docs: { token: text } }, '').secrets).toEqual([{ doc: 'token', what }]);
  });

  it('does not warn about an ordinary policy', () => {
    expect(linkWarnings(state, '').secrets).toEqual([]);
  });
});
