// Pods as local processes: user-namespace confinement, hang-up on disconnect, bounded buffering under a flood, and
// nothing left running after close().
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCluster, type LocalCluster } from './index.ts';
import { isAlive } from './process-tree.ts';
import { RawWebSocket } from './testing/raw-websocket.ts';

const PODS = fileURLToPath(new URL('./testing/test-pods.yaml', import.meta.url));
let cluster: LocalCluster;
const logs: string[] = [];
const started: number[] = [];

beforeAll(async () => {
  cluster = await startLocalCluster({ podsFile: PODS, log: (l) => logs.push(l) });
}, 120_000);

afterAll(async () => {
  await cluster?.close();
});

const exec = (command: string[], flags: string[] = ['stderr', 'stdout']) =>
  `/api/v1/namespaces/default/pods/shell/exec?${command.map((c) => `command=${encodeURIComponent(c)}`).join('&')}` +
  `&container=main&${flags.map((f) => `${f}=true`).join('&')}`;

/** Live children of a process (from /proc/<pid>/stat's ppid field). */
function childrenOf(parent: number): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === parent && isAlive(pid);
      } catch {
        return false;
      }
    });
}

function sessionOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[3]);
  } catch {
    return -1;
  }
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
}

function hostIds(pid: number): { uid: string; gid: string } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return { uid: /^Uid:\s+(.*)$/m.exec(status)![1]!, gid: /^Gid:\s+(.*)$/m.exec(status)![1]! };
}

// Still running (a zombie waiting for whoever adopted it to reap it counts as ended).
const alive = (pids: number[]) => pids.filter((pid) => isAlive(pid));

describe('user namespace confinement (hostUsers: false)', () => {
  it('is root inside and nobody (65534) on the host', async () => {
    expect(cluster.confined).toBe(true);
    expect(logs).toContain('local cluster: pods run in user namespaces (uid 0 inside = uid 65534 on the host)');
    const ws = await RawWebSocket.open(cluster, {
      path: exec(['sh', '-c', 'id -u; id -g; echo $$; cat'], ['stdin', 'stdout']),
    });
    await ws.until((w) => /^\d+\n\d+\n\d+\n$/.test(w.channel(1).toString()), 'id -u, id -g and the pid');
    const [uid, gid, pid] = ws.channel(1).toString().trim().split('\n').map(Number) as [number, number, number];
    started.push(pid);
    expect({ uid, gid }).toEqual({ uid: 0, gid: 0 });
    expect(hostIds(pid)).toEqual({ uid: '65534\t65534\t65534\t65534', gid: '65534\t65534\t65534\t65534' });
    ws.send(Buffer.from([0xff, 0x00]));
    await ws.untilEnded();
  });

  it('has a private writable HOME, and cannot write the host system', async () => {
    const ws = await RawWebSocket.open(cluster, {
      path: exec(['sh', '-c', 'cd && echo kept > f && cat f && echo "$HOSTNAME $TERM" && touch /etc/porthole-escape']),
    });
    await ws.untilEnded();
    expect(ws.channel(1).toString()).toBe('kept\nshell \n');
    expect(ws.channel(2).toString()).toBe("touch: cannot touch '/etc/porthole-escape': Permission denied\n");
    expect(existsSync('/etc/porthole-escape')).toBe(false);
  });

  it('runs TTY processes with TERM=xterm-256color', async () => {
    const ws = await RawWebSocket.open(cluster, { path: exec(['sh', '-c', 'echo "$TERM"'], ['stdout', 'tty']) });
    await ws.untilEnded();
    expect(ws.channel(1).toString()).toBe('xterm-256color\r\n');
  });
});

describe('hang-up when the connection closes before the process exited', () => {
  it.each([
    ['a dropped TCP connection', (ws: RawWebSocket) => ws.close()],
    ['a clean WebSocket close', (ws: RawWebSocket) => ws.send(Buffer.from([0x03, 0xe8]), 0x8)],
  ])('non-TTY: %s ends the process and its background children', async (_name, disconnect) => {
    const ws = await RawWebSocket.open(cluster, { path: exec(['sh', '-c', 'echo $$; sleep 1000 & echo $!; wait']) });
    await ws.until((w) => /^\d+\n\d+\n$/.test(w.channel(1).toString()), 'the two pids');
    const pids = ws.channel(1).toString().trim().split('\n').map(Number);
    expect(alive(pids)).toEqual(pids);
    expect(cluster.processes().filter((p) => p.kind === 'exec')).toHaveLength(1);
    disconnect(ws);
    await expect.poll(() => alive(pids), { timeout: 10_000 }).toEqual([]);
    await expect.poll(() => cluster.processes().filter((p) => p.kind === 'exec'), { timeout: 10_000 }).toEqual([]);
  });

  it('TTY: an interactive shell with a background job is hung up', async () => {
    const ws = await RawWebSocket.open(cluster, { path: exec(['sh'], ['stdin', 'stdout', 'tty']) });
    ws.send(Buffer.from('\x00sleep 1000 & echo "pids $$ $!"\r', 'latin1'));
    await ws.until((w) => /pids \d+ \d+\r\n/.test(w.channel(1).toString()), 'the shell and job pids');
    const pids = /pids (\d+) (\d+)\r\n/.exec(ws.channel(1).toString())!.slice(1).map(Number);
    ws.close();
    await expect.poll(() => alive(pids), { timeout: 10_000 }).toEqual([]);
    await expect.poll(() => cluster.processes().filter((p) => p.kind === 'exec'), { timeout: 10_000 }).toEqual([]);
  });

  it('attach does not end the main process when it disconnects', async () => {
    const before = cluster.processes().filter((p) => p.kind === 'main');
    const ws = await RawWebSocket.open(cluster, {
      path: '/api/v1/namespaces/default/pods/shell/attach?container=main&stdin=true&stdout=true&tty=true',
    });
    await ws.until((w) => w.received.length >= 3, 'the initial frame');
    ws.close();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(cluster.processes().filter((p) => p.kind === 'main')).toEqual(before);
  });
});

describe('back-pressure', () => {
  it('a client that stops reading pauses the process: server-side buffering stays bounded', async () => {
    const BOUND = 256 * 1024;
    const ws = await RawWebSocket.open(cluster, { path: exec(['cat', '/dev/zero'], ['stdout']), countOnly: true });
    const stats = () => cluster.streams().find((s) => s.open && s.subresource === 'exec' && s.bytesSent > 0)!;
    await ws.until((w) => w.receivedBytes > 0, 'the first output');
    ws.socket.pause(); // stop reading: kernel buffers fill, then the server's socket stops draining
    await expect.poll(() => stats().pauses, { timeout: 20_000 }).toBeGreaterThan(0);
    expect(stats().maxBufferedBytes).toBeLessThanOrEqual(BOUND);

    // Reading again lets a flood many times the bound through, and buffering still never exceeded it.
    ws.socket.resume();
    const target = ws.receivedBytes + 64 * 1024 * 1024;
    await ws.until((w) => w.receivedBytes >= target, '64 MiB more output', 60_000);
    expect(stats().maxBufferedBytes).toBeLessThanOrEqual(BOUND);
    ws.close();
    await expect.poll(() => cluster.processes().filter((p) => p.kind === 'exec'), { timeout: 10_000 }).toEqual([]);
  }, 90_000);

  it('a process that does not read its stdin stops the server reading the socket: stdin buffering stays bounded', async () => {
    const BOUND = 256 * 1024;
    // Reads nothing until a file "go" appears in the pod's directory, then swallows everything (so the end of the
    // connection is seen afterwards). No clock: the test says when.
    const ws = await RawWebSocket.open(cluster, {
      path: exec(
        ['sh', '-c', 'until [ -e go ]; do sleep 0.05; done; rm go; exec cat > /dev/null'],
        ['stdin', 'stdout'],
      ),
    });
    const chunk = Buffer.alloc(32 * 1024 + 1, 0x61);
    chunk[0] = 0;
    for (let i = 0; i < 256; i++) ws.send(chunk); // 8 MiB offered to a process that is not reading
    const stats = () => cluster.streams().find((s) => s.open && s.inputPauses > 0);
    await expect.poll(() => stats()?.inputPauses ?? 0, { timeout: 20_000 }).toBeGreaterThan(0);
    expect(stats()!.maxInputBufferedBytes).toBeLessThanOrEqual(BOUND);
    expect(ws.socket.writableLength).toBeGreaterThan(BOUND); // the rest waits on the client's side
    const go = await RawWebSocket.open(cluster, { path: exec(['touch', 'go']) });
    await go.untilEnded();
    ws.close();
    await expect.poll(() => cluster.processes().filter((p) => p.kind === 'exec'), { timeout: 10_000 }).toEqual([]);
  }, 60_000);
});

describe('close()', () => {
  it('ends every process it started', async () => {
    const extra = await startLocalCluster({ podsFile: PODS, log: () => {} });
    const ws = await RawWebSocket.open(extra, { path: exec(['sh', '-c', 'echo $$; sleep 1000'], ['stdout']) });
    await ws.until((w) => /^\d+\n$/.test(w.channel(1).toString()), 'the pid');
    const pids = [...extra.processes().map((p) => p.pid), Number(ws.channel(1).toString())];
    expect(alive(pids)).toEqual(pids);
    await extra.close();
    expect(alive(pids)).toEqual([]);
    expect(extra.processes()).toEqual([]);
  }, 60_000);
});

describe('a failed start', () => {
  it('rejects with the reason and leaves no process behind when the port is taken', async () => {
    const port = Number(new URL(cluster.server).port);
    await expect(startLocalCluster({ podsFile: PODS, log: () => {}, port })).rejects.toThrow(/EADDRINUSE/);
    // Our own children only: other test files (and other people's) run clusters on this machine too.
    const ours = new Set(cluster.processes().map((p) => p.pid));
    const strays = childrenOf(process.pid).filter((pid) => !ours.has(pid) && cmdline(pid).includes('porthole-sandbox'));
    expect(strays).toEqual([]);
  }, 60_000);
});

describe('a server that dies without close()', () => {
  it('takes its pods with it, background children included (parent-death signal in the sandbox helper)', async () => {
    // Its pods' directories go into a temporary directory of ours: nobody is left to remove them.
    const tmp = mkdtempSync(join(tmpdir(), 'porthole-crash-'));
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(new URL('./testing/crash-child.ts', import.meta.url)), PODS],
      { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, TMPDIR: tmp } },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    await new Promise((resolve) => child.on('close', resolve));
    const sessions = JSON.parse(out) as number[];
    expect(sessions.length).toBeGreaterThan(0);
    // Every pod process leads its own session: nothing may be left in any of them.
    const left = () =>
      readdirSync('/proc')
        .filter((e) => /^\d+$/.test(e))
        .map(Number)
        .filter((pid) => isAlive(pid) && sessions.includes(sessionOf(pid)));
    await expect.poll(left, { timeout: 10_000 }).toEqual([]);
    rmSync(tmp, { recursive: true, force: true });
  }, 60_000);
});

describe('idle timeout', () => {
  it('closes a stream without data in either direction (1000, no status) and hangs its process up', async () => {
    const idle = await startLocalCluster({ podsFile: PODS, log: () => {}, streamIdleTimeoutSeconds: 1 });
    try {
      const ws = await RawWebSocket.open(idle, { path: exec(['sh', '-c', 'echo $$; exec sleep 1000'], ['stdout']) });
      await ws.untilEnded(10_000);
      expect(ws.received.subarray(-4).toString('hex')).toBe('880203e8');
      expect(ws.channel(3).length).toBe(0);
      const pid = Number(ws.channel(1).toString());
      await expect.poll(() => alive([pid]), { timeout: 5000 }).toEqual([]);
    } finally {
      await idle.close();
    }
  }, 30_000);
});

describe('without a user namespace', () => {
  it('says so in one log line and still runs pods unprivileged', async () => {
    const lines: string[] = [];
    const plain = await startLocalCluster({ podsFile: PODS, log: (l) => lines.push(l), disableSandbox: true });
    try {
      expect(plain.confined).toBe(false);
      expect(lines.filter((l) => l.includes('WITHOUT a user namespace'))).toEqual([
        'local cluster: pods run WITHOUT a user namespace (disabled by option); processes run as uid 65534 (nobody) instead',
      ]);
      const ws = await RawWebSocket.open(plain, { path: exec(['id', '-u']) });
      await ws.untilEnded();
      expect(ws.channel(1).toString()).toBe('65534\n');
    } finally {
      await plain.close();
    }
  }, 60_000);
});
