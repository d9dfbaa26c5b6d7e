// `porthole serve` flags and the command line's exit codes: usage errors name the problem and exit 2.

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseServeArgs, UsageError } from './serve-args.ts';

describe('parseServeArgs', () => {
  it.each([
    { argv: [], options: {} },
    { argv: ['--port', '0'], options: { port: 0 } },
    { argv: ['--port=9090', '--host', '0.0.0.0'], options: { port: 9090, host: '0.0.0.0' } },
    { argv: ['--kubeconfig', 'kc.yaml'], options: { kubeconfig: 'kc.yaml' } },
    {
      argv: ['--write-local-kubeconfig', 'out', '--pods', 'pods.yaml'],
      options: { writeLocalKubeconfig: 'out', podsFile: 'pods.yaml' },
    },
    {
      argv: ['--allow-origin', 'http://localhost:5173', '--allow-origin=https://porthole.example'],
      options: { allowOrigins: ['http://localhost:5173', 'https://porthole.example'] },
    },
    {
      argv: ['--oidc-issuer-url', 'https://idp.example/realms/k', '--oidc-client-id', 'porthole'],
      options: { oidc: { issuerUrl: 'https://idp.example/realms/k', clientId: 'porthole' } },
    },
    {
      argv: [
        '--oidc-issuer-url=http://127.0.0.1:5556',
        '--oidc-client-id=porthole',
        '--oidc-client-secret-file=secret.txt',
        '--oidc-redirect-url=https://porthole.example/porthole/api/oidc/callback',
        '--oidc-scopes=openid,profile groups',
        '--oidc-username-claim=email',
        '--oidc-groups-claim=roles',
      ],
      options: {
        oidc: {
          issuerUrl: 'http://127.0.0.1:5556',
          clientId: 'porthole',
          clientSecretFile: 'secret.txt',
          redirectUri: 'https://porthole.example/porthole/api/oidc/callback',
          scopes: ['openid', 'profile', 'groups'],
          claims: { username: 'email', groups: 'roles' },
        },
      },
    },
    {
      argv: ['--session-idle-timeout', '15m', '--session-max-lifetime', '1h30m'],
      options: { sessions: { idleTimeoutMs: 15 * 60_000, absoluteTimeoutMs: 90 * 60_000 } },
    },
    {
      argv: ['--tls-cert-file', 'tls.crt', '--tls-key-file', 'tls.key'],
      options: { tlsCertFile: 'tls.crt', tlsKeyFile: 'tls.key' },
    },
    {
      argv: ['--shell-idle-timeout=90s', '--shell-max-duration=2h'],
      options: { timing: { idleTimeoutMs: 90_000, maxDurationMs: 2 * 3_600_000 } },
    },
  ])('$argv', ({ argv, options }) => {
    expect(parseServeArgs(argv)).toEqual({ help: false, options });
  });

  it.each([['--help'], ['-h'], ['--port', '1', '--help']])('%s asks for help', (...argv) => {
    expect(parseServeArgs(argv)).toEqual({ help: true });
  });

  it.each([
    { argv: ['--prot', '1'], message: 'unknown flag: --prot' },
    { argv: ['-p', '1'], message: 'unknown flag: -p' },
    { argv: ['--port'], message: 'flag needs an argument: --port' },
    { argv: ['--port', '--host', 'x'], message: 'flag needs an argument: --port' },
    { argv: ['--port', '80a'], message: 'invalid argument "80a" for "--port" flag' },
    { argv: ['--port', '65536'], message: 'invalid argument "65536" for "--port" flag' },
    { argv: ['--host='], message: 'flag needs a non-empty argument: --host' },
    { argv: ['extra'], message: 'unexpected argument "extra"' },
    { argv: ['--oidc-client-id', 'x'], message: 'the --oidc-* flags need --oidc-issuer-url' },
    { argv: ['--oidc-issuer-url', 'https://idp.example'], message: '--oidc-issuer-url needs --oidc-client-id' },
    {
      argv: ['--oidc-issuer-url', 'http://idp.example', '--oidc-client-id', 'x'],
      message: 'plain http is accepted on loopback only',
    },
    { argv: ['--session-idle-timeout', '10'], message: 'expected a duration like 90s, 15m or 8h' },
    { argv: ['--session-max-lifetime', '0h'], message: 'expected a duration like 90s, 15m or 8h' },
    { argv: ['--shell-max-duration', '600h'], message: 'at most 596h' },
    { argv: ['--tls-key-file', 'tls.key'], message: '--tls-cert-file and --tls-key-file go together' },
    { argv: ['--allow-origin', 'localhost:5173'], message: 'must be an http:// or https:// origin' },
    { argv: ['--allow-origin', 'http://localhost:5173/'], message: 'is not in origin form' },
    { argv: ['--allow-origin', 'http://localhost:80'], message: 'is not in origin form' },
    { argv: ['--kubeconfig', 'k', '--write-local-kubeconfig', 'o'], message: 'cannot be used with --kubeconfig' },
    { argv: ['--kubeconfig', 'k', '--pods', 'p'], message: 'cannot be used with --kubeconfig' },
  ])('$argv → $message', ({ argv, message }) => {
    expect(() => parseServeArgs(argv)).toThrow(UsageError);
    expect(() => parseServeArgs(argv)).toThrow(message);
  });
});

describe('porthole command line', () => {
  const cli = fileURLToPath(new URL('../cli.ts', import.meta.url));
  const run = (...args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], { encoding: 'utf8', timeout: 20_000 });

  it.each([
    { args: [], status: 2, stream: 'stderr', text: 'Usage:\n  porthole <command>' },
    { args: ['--help'], status: 0, stream: 'stdout', text: 'serve ' },
    {
      args: ['bogus'],
      status: 2,
      stream: 'stderr',
      text: 'Error: unknown command "bogus"\nRun \'porthole --help\' for usage.',
    },
    {
      args: ['serve', '--nope'],
      status: 2,
      stream: 'stderr',
      text: "Error: unknown flag: --nope\nRun 'porthole serve --help' for usage.",
    },
    { args: ['serve', '--help'], status: 0, stream: 'stdout', text: '--write-local-kubeconfig FILE' },
    { args: ['cel', '--help'], status: 0, stream: 'stdout', text: 'porthole cel --input FILE' },
    {
      args: ['serve', '--port', '0', '--kubeconfig', '/nonexistent/kc'],
      status: 1,
      stream: 'stderr',
      text: 'porthole serve: kubeconfig /nonexistent/kc: cannot be read',
    },
  ])('porthole $args → exit $status', ({ args, status, stream, text }) => {
    const result = run(...args);
    expect(result.status).toBe(status);
    expect(stream === 'stdout' ? result.stdout : result.stderr).toContain(text);
  });
});

describe('porthole serve lifecycle', () => {
  const cli = fileURLToPath(new URL('../cli.ts', import.meta.url));

  function alive(pid: number): boolean {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }

  it.each(['SIGINT', 'SIGTERM'] as const)(
    '%s closes everything, the local cluster’s pod processes included, and exits 0',
    async (signal) => {
      const { spawn, execFileSync } = await import('node:child_process');
      const child = spawn(process.execPath, ['--import', 'tsx', cli, 'serve', '--port', '0'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      const deadline = Date.now() + 30_000;
      while (!out.includes('Porthole is running at http://127.0.0.1:') && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(out).toMatch(/^Porthole is running at http:\/\/127\.0\.0\.1:\d+\/#login=[A-Za-z0-9_-]{43}\n$/);
      const pods = execFileSync('ps', ['-o', 'pid=', '--ppid', String(child.pid)], { encoding: 'utf8' })
        .split('\n')
        .map((line) => Number(line.trim()))
        .filter((pid) => pid > 0);
      expect(pods.length).toBeGreaterThan(0);
      child.kill(signal);
      expect(await exited).toBe(0);
      expect(pods.filter(alive)).toEqual([]);
    },
  );
});
