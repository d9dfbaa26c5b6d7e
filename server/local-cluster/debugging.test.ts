// The debugging flows on the local cluster (issue 9): an ephemeral container is a new sandboxed process in the pod
// that shares its target's namespaces (so `ps` shows the target's processes, and only with a target), and a
// `hostUsers: false` pod runs in a user namespace of its own: uid 0 inside, an unprivileged uid on the host.
import { readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCluster, type LocalCluster } from './index.ts';
import { RawWebSocket } from './testing/raw-websocket.ts';

let cluster: LocalCluster;

beforeAll(async () => {
  cluster = await startLocalCluster({ log: () => {} });
}, 120_000);

afterAll(async () => {
  await cluster?.close();
});

function api(method: string, path: string, body?: unknown, contentType = 'application/json') {
  return new Promise<{ status: number; json: Record<string, unknown> }>((resolve, reject) => {
    const url = new URL(path, cluster.server);
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = request(
      url,
      {
        method,
        ca: cluster.caData,
        servername: 'localhost',
        headers: {
          Authorization: `Bearer ${cluster.token}`,
          ...(payload ? { 'Content-Type': contentType, 'Content-Length': String(payload.length) } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            json: JSON.parse(Buffer.concat(chunks).toString() || '{}') as Record<string, unknown>,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

async function execOutput(pod: string, container: string, command: string[]): Promise<string> {
  const query = command.map((c) => `command=${encodeURIComponent(c)}`).join('&');
  const ws = await RawWebSocket.open(cluster, {
    path: `/api/v1/namespaces/default/pods/${pod}/exec?${query}&container=${container}&stdout=true&stderr=true`,
  });
  await ws.untilEnded();
  return ws.channel(1).toString() + ws.channel(2).toString();
}

type PodJson = { metadata: { name: string }; spec: Record<string, unknown>; status: Record<string, unknown> };

async function waitRunning(pod: string, container: string, list: 'containerStatuses' | 'ephemeralContainerStatuses') {
  for (let i = 0; i < 100; i++) {
    const { json } = await api('GET', `/api/v1/namespaces/default/pods/${pod}`);
    const statuses = ((json as unknown as PodJson).status[list] ?? []) as Array<{
      name: string;
      state: Record<string, unknown>;
    }>;
    if (statuses.find((s) => s.name === container)?.state.running) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${pod}/${container} never ran`);
}

/** Host processes running `sleep <marker>` (argv[0] is the resolved path), with their host uid. */
function hostProcesses(marker: string): Array<{ pid: number; uid: number }> {
  const wanted = new RegExp(`^(/usr)?/bin/sleep\0${marker}\0$`);
  const out: Array<{ pid: number; uid: number }> = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (!wanted.test(readFileSync(`/proc/${entry}/cmdline`, 'utf8'))) continue;
      const uid = Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${entry}/status`, 'utf8'))![1]);
      out.push({ pid: Number(entry), uid });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

const appPod = (name: string, marker: string, hostUsers?: boolean) => ({
  kind: 'Pod',
  apiVersion: 'v1',
  metadata: { name },
  spec: {
    ...(hostUsers === undefined ? {} : { hostUsers }),
    containers: [{ name: 'app', image: 'distroless/app', command: ['sleep', marker] }],
  },
});

describe('ephemeral containers', () => {
  it("with targetContainerName, `ps` shows the target's processes; without, only its own", async () => {
    expect(cluster.confined).toBe(true);
    expect((await api('POST', '/api/v1/namespaces/default/pods', appPod('distroless', '4242'))).status).toBe(201);
    await waitRunning('distroless', 'app', 'containerStatuses');
    const patch = (name: string, marker: string, target?: string) =>
      api(
        'PATCH',
        '/api/v1/namespaces/default/pods/distroless/ephemeralcontainers',
        {
          spec: {
            ephemeralContainers: [
              {
                name,
                image: 'busybox',
                command: ['sleep', marker],
                ...(target ? { targetContainerName: target } : {}),
              },
            ],
          },
        },
        'application/strategic-merge-patch+json',
      );
    const targeted = await patch('debugger-target', '1001', 'app');
    expect(targeted.status).toBe(200);
    const spec = (targeted.json as unknown as PodJson).spec;
    expect(spec.ephemeralContainers).toEqual([
      expect.objectContaining({ name: 'debugger-target', targetContainerName: 'app' }),
    ]);
    expect((await patch('debugger-alone', '1002')).status).toBe(200);
    await waitRunning('distroless', 'debugger-target', 'ephemeralContainerStatuses');
    await waitRunning('distroless', 'debugger-alone', 'ephemeralContainerStatuses');

    const withTarget = await execOutput('distroless', 'debugger-target', ['ps', '-e', '-o', 'args']);
    expect(withTarget).toMatch(/^\S*sleep 4242$/m);
    const alone = await execOutput('distroless', 'debugger-alone', ['ps', '-e', '-o', 'args']);
    expect(alone).toMatch(/^\S*sleep 1002$/m);
    expect(alone).not.toMatch(/sleep 4242$/m);
    // The app container sees the debugger that joined it, and not the one that did not.
    const fromApp = await execOutput('distroless', 'app', ['ps', '-e', '-o', 'args']);
    expect(fromApp).toMatch(/sleep 1001$/m);
    expect(fromApp).not.toMatch(/sleep 1002$/m);
  }, 60_000);

  it.each([
    { name: 'a repeated name', entry: { name: 'main', image: 'busybox' }, message: /Duplicate value: "main"/ },
    { name: 'no image', entry: { name: 'dbg' }, message: /ephemeralContainers\[\d+\]\.image: Required value/ },
    {
      name: 'an unknown target',
      entry: { name: 'dbg2', image: 'b', targetContainerName: 'nope' },
      message: /targetContainerName: Not found: "nope"/,
    },
  ])('refuses $name with 422 Invalid', async ({ entry, message }) => {
    const { status, json } = await api(
      'PATCH',
      '/api/v1/namespaces/default/pods/shell/ephemeralcontainers',
      { spec: { ephemeralContainers: [entry] } },
      'application/strategic-merge-patch+json',
    );
    expect(status).toBe(422);
    expect(json.reason).toBe('Invalid');
    expect(String(json.message)).toMatch(message);
  });
});

describe('a hostUsers: false debug pod', () => {
  it('is root inside and an unprivileged uid on the host; DELETE ends its processes', async () => {
    const created = await api('POST', '/api/v1/namespaces/default/pods', appPod('rootsafe', '4343', false));
    expect(created.status).toBe(201);
    expect((created.json as unknown as PodJson).spec.hostUsers).toBe(false);
    await waitRunning('rootsafe', 'app', 'containerStatuses');
    expect((await execOutput('rootsafe', 'app', ['id', '-u'])).trim()).toBe('0');
    const host = hostProcesses('4343');
    expect(host).toHaveLength(1);
    expect(host[0]!.uid).not.toBe(0);
    expect(host[0]!.uid).toBe(65534);

    const deleted = await api('DELETE', '/api/v1/namespaces/default/pods/rootsafe');
    expect(deleted.status).toBe(200);
    expect(hostProcesses('4343')).toEqual([]);
    expect((await api('GET', '/api/v1/namespaces/default/pods/rootsafe')).status).toBe(404);
  }, 60_000);

  it('a TTY exec into it (joining its namespaces) ends with the shell’s own exit code', async () => {
    expect((await api('POST', '/api/v1/namespaces/default/pods', appPod('exitcode', '4444', false))).status).toBe(201);
    await waitRunning('exitcode', 'app', 'containerStatuses');
    const ws = await RawWebSocket.open(cluster, {
      path: '/api/v1/namespaces/default/pods/exitcode/exec?command=sh&container=app&stdin=true&stdout=true&tty=true',
    });
    await ws.until((w) => w.channel(1).toString().includes('# '), 'the prompt');
    ws.send(Buffer.concat([Buffer.from([0]), Buffer.from('exit 3\r')]));
    await ws.untilEnded();
    expect(ws.channel(3).toString()).toContain('command terminated with non-zero exit code');
    expect(ws.channel(3).toString()).toContain('"message":"3"');
    expect(ws.channel(1).toString()).not.toContain('Cannot set tty process group');
  }, 30_000);

  it('a second create of the same name is AlreadyExists', async () => {
    expect((await api('POST', '/api/v1/namespaces/default/pods', appPod('twice', '1'))).status).toBe(201);
    const again = await api('POST', '/api/v1/namespaces/default/pods', appPod('twice', '1'));
    expect(again.status).toBe(409);
    expect(again.json.message).toBe('pods "twice" already exists');
  });
});
