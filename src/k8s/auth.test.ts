import { describe, expect, it } from 'vitest';
import { base64RawUrl, bearerTokenProtocol } from './auth.ts';

describe('bearerTokenProtocol (exec-protocol.md §4.1)', () => {
  it.each([
    ['sekret-token', 'base64url.bearer.authorization.k8s.io.c2VrcmV0LXRva2Vu'],
    ['ab', 'base64url.bearer.authorization.k8s.io.YWI'], // never "YWI=": padding is a 401
    ['abc', 'base64url.bearer.authorization.k8s.io.YWJj'],
    ['a', 'base64url.bearer.authorization.k8s.io.YQ'],
    ['ü?>', 'base64url.bearer.authorization.k8s.io.w7w_Pg'], // URL alphabet: _ and -, never / and +
  ])('%j → %s', (token, protocol) => {
    expect(bearerTokenProtocol(token)).toBe(protocol);
  });

  it('rejects an empty token', () => {
    expect(() => bearerTokenProtocol('')).toThrow('a bearer token must not be empty');
  });

  it('agrees with RFC 4648 base64url for every byte value', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const expected = Buffer.from(all).toString('base64url');
    for (let n = 0; n <= 4; n++) {
      expect(base64RawUrl(all.subarray(0, 256 - n))).toBe(Buffer.from(all.subarray(0, 256 - n)).toString('base64url'));
    }
    expect(base64RawUrl(all)).toBe(expected);
  });
});
