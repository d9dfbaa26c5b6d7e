// Our client (src/k8s ExecSession through server/exec-client.ts) against the embedded local cluster over TLS:
// output and exit codes, stdin with the v5 CLOSE, a TTY with resizes, attach, a refused upgrade, the legacy v4
// path, and a hang-up that leaves no shell behind.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExecSession } from '../src/k8s/session.ts';
import { isExecutableNotFound, SHELL_DISCOVERY_COMMAND } from '../src/k8s/shell.ts';
import { collectOutput, decodeOutput } from '../src/k8s/text.ts';
import type { ExecOptions, StreamingSubresource } from '../src/k8s/types.ts';
import { connectExec, UpgradeFailureError, type ExecClientOptions } from './exec-client.ts';
import { startLocalCluster, type LocalCluster } from './local-cluster/index.ts';

let cluster: LocalCluster;
const logs: string[] = [];

beforeAll(async () => {
  cluster = await startLocalCluster({ log: (line) => logs.push(line) });
}, 60_000);

afterAll(async () => {
  await cluster?.close();
});

const nonTty = (command: string[], stdin = false): ExecOptions => ({
  command,
  container: 'main',
  stdin,
  stdout: true,
  stderr: true,
  tty: false,
});

function connect(
  pod: string,
  subresource: StreamingSubresource,
  exec: ExecOptions,
  extra: Partial<ExecClientOptions> = {},
): Promise<ExecSession> {
  return connectExec({
    server: cluster.server,
    caData: cluster.caData,
    token: cluster.token,
    namespace: 'default',
    pod,
    subresource,
    exec,
    keepaliveIntervalMs: 0,
    ...extra,
  });
}

/** Resolves with the text seen so far once `pattern` matches it; fails with what was seen after `ms`. */
function waitForOutput(session: ExecSession, pattern: RegExp, ms = 10_000): Promise<string> {
  let seen = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no ${pattern} within ${ms} ms; output was ${JSON.stringify(seen)}`)),
      ms,
    );
    decodeOutput(session, {
      stdout: (text) => {
        seen += text;
        if (pattern.test(seen)) {
          clearTimeout(timer);
          resolve(seen);
        }
      },
    });
  });
}

async function waitUntil(condition: () => boolean, what: string, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('ExecSession against the local cluster', () => {
  it('non-TTY exec: stdout, stderr and exit code 3', async () => {
    const session = await connect('shell', 'exec', nonTty(['sh', '-c', 'echo out; echo oops >&2; exit 3']));
    expect(session.protocol).toBe('v5.channel.k8s.io');
    const { stdout, stderr, end } = await collectOutput(session);
    expect({ stdout, stderr }).toEqual({ stdout: 'out\n', stderr: 'oops\n' });
    expect(end).toMatchObject({
      result: { kind: 'exit', exitCode: 3, message: 'command terminated with exit code 3' },
      closeCode: 1000,
      dropped: false,
    });
  });

  it('cat: stdin then the v5 CLOSE gives EOF, and a 1 MB write arrives intact', async () => {
    const session = await connect('shell', 'exec', nonTty(['cat'], true));
    const output = collectOutput(session);
    const big = Array.from({ length: 1_000_000 }, (_, i) => String.fromCharCode(97 + (i % 26))).join('');
    session.writeStdin('hi\nthere\n');
    session.writeStdin(big);
    expect(session.closeStdin()).toBe(true);
    const { stdout, end } = await output;
    expect(stdout.length).toBe(9 + big.length);
    expect(stdout === 'hi\nthere\n' + big).toBe(true);
    expect(end.result).toEqual({ kind: 'success' });
  });

  it('keepalives (empty stdin, re-sent size) reach the process as nothing', async () => {
    const cat = await connect('shell', 'exec', nonTty(['cat'], true), { keepaliveIntervalMs: 20 });
    const catOutput = collectOutput(cat);
    const tty = await connect(
      'shell',
      'exec',
      {
        command: ['sh', '-c', 'read line; echo "got $line"'],
        container: 'main',
        stdin: true,
        stdout: true,
        stderr: false,
        tty: true,
      },
      { initialSize: { width: 90, height: 20 }, keepaliveIntervalMs: 20 },
    );
    const ttyOutput = collectOutput(tty);
    await new Promise((r) => setTimeout(r, 300));
    cat.writeStdin('data\n');
    cat.closeStdin();
    tty.writeStdin('x\r');
    expect(await catOutput).toMatchObject({ stdout: 'data\n', end: { result: { kind: 'success' } } });
    expect(await ttyOutput).toMatchObject({ stdout: 'x\r\ngot x\r\n', end: { result: { kind: 'success' } } });
  });

  it('TTY exec: the initial size and a resize reach the pty (stty size), and `exit 3` is exit code 3', async () => {
    const session = await connect(
      'shell',
      'exec',
      { command: ['sh'], container: 'main', stdin: true, stdout: true, stderr: false, tty: true },
      { initialSize: { width: 100, height: 30 } },
    );
    const output = collectOutput(session);
    const first = waitForOutput(session, /\b30 100\r\n/);
    session.writeStdin('stty size\r');
    await first;
    session.resize({ width: 120, height: 40 });
    const second = waitForOutput(session, /\b40 120\r\n/);
    session.writeStdin('stty size\r');
    await second;
    session.writeStdin('exit 3\r');
    const { end } = await output;
    expect(end.result).toEqual({ kind: 'exit', exitCode: 3, message: 'command terminated with exit code 3' });
  });

  it('attach to ticker sees new lines, and hanging up leaves the container running', async () => {
    const before = cluster.processes().filter((p) => p.pod === 'ticker' && p.kind === 'main');
    expect(before).toHaveLength(1);
    const session = await connect(
      'ticker',
      'attach',
      { container: 'main', stdin: true, stdout: true, stderr: false, tty: true },
      { initialSize: { width: 80, height: 24 } },
    );
    const seen = await waitForOutput(session, /tick (\d+)[\s\S]*tick (\d+)/, 5_000);
    const ticks = [...seen.matchAll(/tick (\d+)/g)].map((m) => Number(m[1]));
    expect(ticks.at(-1)!).toBeGreaterThan(ticks[0]!);
    session.hangUp();
    const end = await session.ended;
    expect(end).toMatchObject({ hungUp: true, dropped: false });
    expect(cluster.processes().filter((p) => p.pod === 'ticker' && p.kind === 'main')).toEqual(before);
  });

  it('hanging up a TTY exec ends its shell', async () => {
    const execs = () =>
      cluster
        .processes()
        .filter((p) => p.pod === 'shell' && p.kind === 'exec')
        .map((p) => p.pid);
    const earlier = execs();
    const session = await connect(
      'shell',
      'exec',
      { command: ['sh'], container: 'main', stdin: true, stdout: true, stderr: false, tty: true },
      { initialSize: { width: 80, height: 24 } },
    );
    const ready = waitForOutput(session, /ready/);
    session.writeStdin('echo re""ady\r');
    await ready;
    const [shell, ...others] = execs().filter((pid) => !earlier.includes(pid));
    expect(shell).toBeDefined();
    expect(others).toEqual([]);
    session.hangUp();
    await session.ended;
    await waitUntil(() => !execs().includes(shell!), `the exec shell (pid ${shell}) is gone`);
  });

  it('an unknown pod is refused before the upgrade with the API server’s Status', async () => {
    const error = await connect('nope', 'exec', nonTty(['true'])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpgradeFailureError);
    expect(error).toMatchObject({ statusCode: 404, message: 'pods "nope" not found', status: { reason: 'NotFound' } });
  });

  it('a v4-only offer takes the legacy path: output and exit code, but no end-of-stdin signal', async () => {
    const session = await connect('shell', 'exec', nonTty(['sh', '-c', 'echo legacy; exit 2'], true), {
      protocols: ['v4.channel.k8s.io'],
    });
    expect(session.protocol).toBe('v4.channel.k8s.io');
    expect(session.closeStdin()).toBe(false);
    const { stdout, end } = await collectOutput(session);
    expect(stdout).toBe('legacy\n');
    expect(end.result).toEqual({ kind: 'exit', exitCode: 2, message: 'command terminated with exit code 2' });
  });

  it('the bearer token may travel as the WebSocket subprotocol', async () => {
    const session = await connect('shell', 'exec', nonTty(['echo', 'via subprotocol']), { tokenVia: 'subprotocol' });
    const { stdout, end } = await collectOutput(session);
    expect(stdout).toBe('via subprotocol\n');
    expect(end.result).toEqual({ kind: 'success' });
  });

  it('verifies the serving certificate: without the CA it refuses, unless told to skip verification', async () => {
    const exec = nonTty(['echo', 'tls']);
    await expect(connect('shell', 'exec', exec, { caData: undefined })).rejects.toThrow(/certificate/);
    const session = await connect('shell', 'exec', exec, { caData: undefined, insecureSkipTLSVerify: true });
    expect((await collectOutput(session)).stdout).toBe('tls\n');
  });

  it('shell discovery runs a shell in one round trip', async () => {
    const session = await connect('shell', 'exec', nonTty([...SHELL_DISCOVERY_COMMAND], true));
    const output = collectOutput(session);
    session.writeStdin('echo answer=$((6*7))\n');
    session.closeStdin();
    const { stdout, end } = await output;
    expect(stdout).toBe('answer=42\n');
    expect(end.result).toEqual({ kind: 'success' });
  });

  it('a missing executable is the InternalError shell discovery recognizes', async () => {
    const session = await connect('shell', 'exec', nonTty(['no-such-shell']));
    const { end } = await collectOutput(session);
    expect(end.result).toMatchObject({ kind: 'failure', reason: 'InternalError', code: 500 });
    expect(isExecutableNotFound(end.result)).toBe(true);
  });
});
