// Which Origins and Host headers a server bound to a given address accepts, and the warning for a
// non-loopback bind.

import { describe, expect, it } from 'vitest';
import { allowedOrigins, checkOriginValue, isLoopbackHost } from './origins.ts';
import { startPorthole } from './server.ts';

describe('allowedOrigins', () => {
  it.each([
    {
      host: '127.0.0.1',
      url: 'http://127.0.0.1:8080/',
      origins: ['http://127.0.0.1:8080', 'http://localhost:8080'],
      hosts: ['127.0.0.1:8080', 'localhost:8080'],
    },
    {
      host: 'localhost',
      url: 'http://localhost:8080/',
      origins: ['http://localhost:8080', 'http://127.0.0.1:8080'],
      hosts: ['localhost:8080', '127.0.0.1:8080'],
    },
    {
      host: '::1',
      url: 'http://[::1]:8080/',
      origins: ['http://[::1]:8080', 'http://127.0.0.1:8080', 'http://localhost:8080'],
      hosts: ['[::1]:8080', '127.0.0.1:8080', 'localhost:8080'],
    },
    {
      host: '0.0.0.0',
      url: 'http://127.0.0.1:8080/',
      origins: ['http://127.0.0.1:8080', 'http://localhost:8080'],
      hosts: ['127.0.0.1:8080', 'localhost:8080'],
    },
    {
      host: '192.168.1.20',
      url: 'http://192.168.1.20:8080/',
      origins: ['http://192.168.1.20:8080'],
      hosts: ['192.168.1.20:8080'],
    },
  ])('bound to $host', ({ host, url, origins, hosts }) => {
    const allowed = allowedOrigins(host, 8080);
    expect(allowed.url).toBe(url);
    expect([...allowed.origins].sort()).toEqual([...origins].sort());
    expect([...allowed.hosts].sort()).toEqual([...hosts].sort());
  });

  it('adds --allow-origin values and their hosts (default ports omitted, as browsers send them)', () => {
    const allowed = allowedOrigins('127.0.0.1', 8080, ['http://localhost:5173', 'https://porthole.example']);
    expect(allowed.origins.has('http://localhost:5173')).toBe(true);
    expect(allowed.origins.has('https://porthole.example')).toBe(true);
    expect(allowed.hosts.has('porthole.example')).toBe(true);
    expect(allowed.hosts.has('localhost:5173')).toBe(true);
  });
});

describe('checkOriginValue and isLoopbackHost', () => {
  it.each([
    ['http://localhost:5173', undefined],
    ['https://porthole.example', undefined],
    ['https://porthole.example:443', 'is not in origin form'],
    ['http://localhost:5173/app', 'is not in origin form'],
    ['ws://localhost:5173', 'must be an http:// or https:// origin'],
    ['localhost', 'is not an origin'],
  ])('%s', (value, problem) => {
    const result = checkOriginValue(value);
    if (problem === undefined) expect(result).toBeUndefined();
    else expect(result).toContain(problem);
  });

  it.each([
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['::1', true],
    ['[::1]', true],
    ['localhost', true],
    ['0.0.0.0', false],
    ['10.0.0.1', false],
    ['localhost.example', false],
  ])('%s loopback = %s', (host, loopback) => {
    expect(isLoopbackHost(host)).toBe(loopback);
  });
});

describe('binding', () => {
  it('a non-loopback bind logs a warning; the loopback default does not', async () => {
    for (const [host, warns] of [
      ['0.0.0.0', true],
      ['127.0.0.1', false],
    ] as const) {
      const logs: string[] = [];
      const porthole = await startPorthole({ host, port: 0, clusters: [], log: (line) => logs.push(line) });
      await porthole.close();
      expect(logs.some((line) => line.startsWith(`warning: listening on ${host}, reachable from other machines`))).toBe(
        warns,
      );
      expect(porthole.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    }
  });
});
