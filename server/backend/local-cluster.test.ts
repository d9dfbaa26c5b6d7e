// `porthole serve` with no kubeconfig, end to end against the real embedded local cluster: the cluster list,
// the REST reads, an exec through the relay (exit code, 1 MB of stdin intact), and the shell process going
// away when a browser drops its TTY exec.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectExec, UpgradeFailureError } from '../exec-client.ts';
import { startPorthole, type Porthole } from './server.ts';
import { login, openBrowserSocket, waitUntil, writeDist, type TestPorthole } from './testing/harness.ts';

let dir: string;
let t: TestPorthole;
let porthole: Porthole;
let cookie: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'porthole-local-'));
  const logs: string[] = [];
  porthole = await startPorthole({
    port: 0,
    distDir: writeDist(dir),
    writeLocalKubeconfig: join(dir, 'local.kubeconfig'),
    log: (line) => logs.push(line),
  });
  t = { porthole, origin: porthole.url.replace(/\/$/, ''), logs, dir, close: () => porthole.close() };
  cookie = await login(t);
}, 60_000);

afterAll(async () => {
  await porthole?.close();
  rmSync(dir, { recursive: true, force: true });
});

const get = (path: string) => fetch(`${t.origin}${path}`, { headers: { Cookie: cookie } });
const execProcesses = () => porthole.localCluster?.processes().filter((p) => p.kind === 'exec') ?? [];

function exec(command: string[], options: { stdin?: boolean; tty?: boolean } = {}) {
  return connectExec({
    server: `${t.origin}/clusters/local`,
    namespace: 'default',
    pod: 'shell',
    subresource: 'exec',
    exec: {
      command,
      container: 'main',
      stdin: options.stdin ?? false,
      stdout: true,
      stderr: !options.tty,
      tty: options.tty ?? false,
    },
    headers: { Origin: t.origin, Cookie: cookie },
    keepaliveIntervalMs: 0,
  });
}

describe('porthole serve with the local cluster', () => {
  it('lists the local cluster and writes a kubeconfig for kubectl', async () => {
    const body = (await (await get('/porthole/api/clusters')).json()) as { clusters: unknown[] };
    expect(body.clusters).toEqual([{ name: 'local', server: porthole.localCluster?.server, local: true }]);
    expect(porthole.localCluster?.server).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(readFileSync(join(dir, 'local.kubeconfig'), 'utf8')).toContain('porthole-local');
  });

  it('relays pod reads and the API’s own errors', async () => {
    const pods = (await (await get('/clusters/local/api/v1/namespaces/default/pods')).json()) as {
      kind: string;
      items: Array<{ metadata: { name: string } }>;
    };
    expect(pods.kind).toBe('PodList');
    expect(pods.items.map((p) => p.metadata.name)).toEqual(expect.arrayContaining(['shell', 'ticker', 'multi']));
    const missing = await get('/clusters/local/api/v1/namespaces/default/pods/nope');
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { message: string }).message).toBe('pods "nope" not found');
    const diag = await get('/clusters/local/api/v1/namespaces/default/pods/shell/exec?command=sh&stdout=true');
    expect(diag.status).toBe(400);
    expect(((await diag.json()) as { message: string }).message).toBe('Upgrade request required');
  });

  it('an exec through the relay gets v5, the output and the exit code', async () => {
    // A raw socket that records from the first frame (the 101 and the output can arrive in one TCP read).
    const result = await openBrowserSocket(
      t,
      '/clusters/local/api/v1/namespaces/default/pods/shell/exec?command=sh&command=-c&command=echo+hello%3B+exit+3&container=main&stdout=true&stderr=true',
      { cookie },
    );
    if (!result.ok) throw new Error(`refused: ${result.status} ${result.body}`);
    expect(result.socket.ws.protocol).toBe('v5.channel.k8s.io');
    expect((await result.socket.closed).code).toBe(1000);
    const channel = (n: number) =>
      Buffer.concat(result.socket.messages.filter((m) => m.data[0] === n).map((m) => m.data.subarray(1))).toString();
    expect(channel(1)).toBe('hello\n');
    expect(JSON.parse(channel(3))).toMatchObject({
      status: 'Failure',
      reason: 'NonZeroExitCode',
      details: { causes: [{ reason: 'ExitCode', message: '3' }] },
    });
  });

  it('1 MB of stdin arrives intact', async () => {
    const session = await exec(['sh', '-c', 'cksum'], { stdin: true });
    const out: Buffer[] = [];
    session.on('stdout', (b) => out.push(Buffer.from(b)));
    const data = Buffer.alloc(1_000_000);
    for (let i = 0; i < data.length; i++) data[i] = 0x20 + ((i * 7) % 90);
    session.writeStdin(data);
    session.closeStdin();
    await session.ended;
    const [crc, size] = Buffer.concat(out).toString().trim().split(/\s+/);
    expect(size).toBe('1000000');
    // The same bytes through cksum locally.
    const { execFileSync } = await import('node:child_process');
    expect(crc).toBe(execFileSync('cksum', { input: data }).toString().split(/\s+/)[0]);
  });

  it('an unknown container is refused before the upgrade with the API’s message', async () => {
    const failure = await connectExec({
      server: `${t.origin}/clusters/local`,
      namespace: 'default',
      pod: 'shell',
      subresource: 'exec',
      exec: { command: ['sh'], container: 'nope', stdin: false, stdout: true, stderr: true, tty: false },
      headers: { Origin: t.origin, Cookie: cookie },
    }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(UpgradeFailureError);
    expect((failure as UpgradeFailureError).statusCode).toBe(400);
    expect((failure as UpgradeFailureError).message).toBe('container nope is not valid for pod shell');
  });

  it('a foreign Origin is refused and starts no process', async () => {
    const before = execProcesses().length;
    const result = await openBrowserSocket(
      t,
      '/clusters/local/api/v1/namespaces/default/pods/shell/exec?command=sh&stdin=true&stdout=true&tty=true',
      {
        cookie,
        origin: 'http://evil.example',
      },
    );
    expect(result.ok ? 101 : result.status).toBe(403);
    expect(execProcesses().length).toBe(before);
  });

  it('a browser that drops its TTY exec leaves no shell behind (Ctrl-D relayed, then hang-up)', async () => {
    const before = execProcesses().length;
    const result = await openBrowserSocket(
      t,
      '/clusters/local/api/v1/namespaces/default/pods/shell/exec?command=sh&container=main&stdin=true&stdout=true&tty=true',
      { cookie },
    );
    if (!result.ok) throw new Error(`refused: ${result.status} ${result.body}`);
    await waitUntil(() => execProcesses().length === before + 1, 'the exec shell started');
    const finished = porthole.finishedRelays().length;
    result.socket.ws.terminate();
    await waitUntil(() => execProcesses().length === before, 'the exec shell is gone', 15_000);
    await waitUntil(() => porthole.finishedRelays().length > finished, 'the relay ended');
    expect(porthole.finishedRelays().at(-1)?.injectedToUpstream).toBe(2);
  });
});
