// The debugging writes against upstream's kube-apiserver, through Porthole's backend with the harness kubeconfig:
// the ephemeral container Porthole adds is the one real kubectl 1.33 `debug -it` adds (both as the apiserver
// stores them), the debug pod is stored with hostUsers: false and deleted on close, and an RBAC refusal comes back
// with the API's own message. Everything runs on a pod of its own, removed afterwards (the harness may be shared).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  debugPod,
  ephemeralContainer,
  ephemeralContainerPatch,
  STRATEGIC_MERGE_PATCH,
  type PodJson,
} from '../../src/k8s/debug.ts';
import { startPorthole, type Porthole } from '../../server/backend/server.ts';
import { connectExec } from '../../server/exec-client.ts';
import { containerProgress } from '../../src/k8s/debug.ts';
import { kubectl } from '../../server/local-cluster/testing/kubectl.ts';
import { apiRequest } from './api-request.ts';
import { goAvailable, HARNESS_START_TIMEOUT_MS, reportSkipped, useHarness, type Harness } from './harness.ts';

if (!goAvailable) reportSkipped('debugging');

const TARGET = `debug-target-${process.pid}`;

describe.runIf(goAvailable)('debugging writes through the real kube-apiserver', () => {
  let harness: Harness;
  let porthole: Porthole;
  let cookie = '';
  let dir = '';

  beforeAll(async () => {
    harness = await useHarness();
    dir = mkdtempSync(join(tmpdir(), 'porthole-debug-e2e-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html>');
    porthole = await startPorthole({ port: 0, kubeconfig: harness.ready.kubeconfig, distDir: dir, log: () => {} });
    const login = await fetch(`${porthole.url}porthole/api/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Origin: porthole.url.replace(/\/$/, '') },
      body: JSON.stringify({ token: porthole.loginToken }),
    });
    cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
    const created = await apiRequest(harness.ready, 'POST', '/api/v1/namespaces/default/pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: TARGET },
      spec: {
        nodeName: 'fake-node-1',
        containers: [{ name: 'app', image: 'porthole.local/app', command: ['/bin/sh', '-c', 'sleep 3600'] }],
      },
    });
    expect(created.status, created.body).toBe(201);
  }, HARNESS_START_TIMEOUT_MS);

  afterAll(async () => {
    if (harness) await apiRequest(harness.ready, 'DELETE', `/api/v1/namespaces/default/pods/${TARGET}`);
    await porthole?.close();
    await harness?.release();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const send = (cluster: string, method: string, path: string, body?: unknown, type = 'application/json') =>
    fetch(`${porthole.url}clusters/${cluster}/api/v1/namespaces/default/${path}`, {
      method,
      headers: { Cookie: cookie, Origin: porthole.url.replace(/\/$/, ''), 'Content-Type': type },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const getPod = async (name: string) =>
    (await apiRequest(harness.ready, 'GET', `/api/v1/namespaces/default/pods/${name}`)).json as unknown as PodJson;
  const withoutName = (c: unknown) => {
    const { name: _name, ...rest } = c as { name: string };
    return rest;
  };

  it('adds the ephemeral container exactly as kubectl debug -it --target does (the two stored containers agree)', async () => {
    const run = await kubectl('1.33', harness.ready.kubeconfig, [
      'debug',
      TARGET,
      '--image=busybox',
      '-i',
      '-t',
      '--attach=false',
      '-c',
      'kubectl-debugger',
      '--target=app',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const before = await getPod(TARGET);
    const container = ephemeralContainer({ name: 'porthole-debugger', image: 'busybox', target: 'app' });
    const response = await send(
      'porthole-e2e',
      'PATCH',
      `pods/${TARGET}/ephemeralcontainers`,
      ephemeralContainerPatch(before, container),
      STRATEGIC_MERGE_PATCH,
    );
    expect(response.status, await response.clone().text()).toBe(200);
    const stored = (await getPod(TARGET)).spec!.ephemeralContainers!;
    const theirs = stored.find((c) => c.name === 'kubectl-debugger');
    const ours = stored.find((c) => c.name === 'porthole-debugger');
    expect(theirs).toBeDefined();
    expect(ours && withoutName(ours)).toEqual(withoutName(theirs));
    expect(porthole.debugWrites().at(-1)).toMatchObject({
      verb: 'patch',
      status: 200,
      containers: ['porthole-debugger'],
    });
  }, 120_000);

  it('attaches to the running ephemeral container through the apiserver and the fake kubelet', async () => {
    let progress = containerProgress(await getPod(TARGET), 'porthole-debugger', true);
    for (let i = 0; i < 100 && progress.state === 'waiting'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      progress = containerProgress(await getPod(TARGET), 'porthole-debugger', true);
    }
    expect(progress).toEqual({ state: 'running' });
    const origin = porthole.url.replace(/\/$/, '');
    const session = await connectExec({
      server: `${origin}/clusters/porthole-e2e`,
      namespace: 'default',
      pod: TARGET,
      subresource: 'attach',
      exec: { container: 'porthole-debugger', stdin: true, stdout: true, stderr: false, tty: true },
      headers: { Origin: origin, Cookie: cookie },
      keepaliveIntervalMs: 0,
    });
    expect(session.protocol).toBe('v5.channel.k8s.io');
    let out = '';
    session.on('stdout', (b) => (out += Buffer.from(b).toString()));
    for (let i = 0; i < 50 && !/dbg-42/.test(out); i++) {
      session.writeStdin(Buffer.from('echo dbg-$((6*7))\r'));
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(out).toMatch(/dbg-42/);
    session.hangUp();
  }, 60_000);

  it('an RBAC refusal shows the API’s message (a user with no grants, through the e2e-oidc context)', async () => {
    const container = ephemeralContainer({ name: 'denied-debugger', image: 'busybox' });
    const response = await send(
      'e2e-oidc',
      'PATCH',
      `pods/${TARGET}/ephemeralcontainers`,
      ephemeralContainerPatch(await getPod(TARGET), container),
      STRATEGIC_MERGE_PATCH,
    );
    expect(response.status).toBe(403);
    const status = (await response.json()) as { kind: string; reason: string; message: string };
    expect(status).toMatchObject({ kind: 'Status', reason: 'Forbidden' });
    expect(status.message).toBe(
      `pods "${TARGET}" is forbidden: User "oidc:alice" cannot patch resource "pods/ephemeralcontainers" in API group "" in the namespace "default"`,
    );
    const created = await send('e2e-oidc', 'POST', 'pods', debugPod({ namespace: 'default', image: 'busybox' }));
    expect(created.status).toBe(403);
    expect(((await created.json()) as { message: string }).message).toBe(
      'pods is forbidden: User "oidc:alice" cannot create resource "pods" in API group "" in the namespace "default"',
    );
  });

  it('creates the debug pod with hostUsers: false, and deletes it on close', async () => {
    const body = debugPod({
      namespace: 'default',
      image: 'busybox',
      copyFrom: { pod: await getPod(TARGET), container: 'app' },
    });
    const response = await send('porthole-e2e', 'POST', 'pods', body);
    expect(response.status, await response.clone().text()).toBe(201);
    const name = ((await response.json()) as PodJson).metadata.name;
    expect(name).toMatch(/^porthole-debug-[a-z0-9]{5}$/);
    const stored = (await apiRequest(harness.ready, 'GET', `/api/v1/namespaces/default/pods/${name}`)).json as {
      spec: { hostUsers?: boolean; containers: Array<{ securityContext?: unknown }> };
    };
    expect(stored.spec.hostUsers).toBe(false);
    expect(stored.spec.containers[0]!.securityContext).toEqual({ runAsUser: 0, runAsGroup: 0 });

    // The tab closes: the page sends DELETE; the backend sends it with the uid of the pod it created.
    const deleted = await send('porthole-e2e', 'DELETE', `pods/${name}`);
    expect(deleted.status, await deleted.clone().text()).toBe(200);
    let gone = false;
    for (let i = 0; i < 100 && !gone; i++) {
      gone = (await apiRequest(harness.ready, 'GET', `/api/v1/namespaces/default/pods/${name}`)).status === 404;
      if (!gone) await new Promise((r) => setTimeout(r, 200));
    }
    expect(gone).toBe(true);
    // No pod deleted through Porthole that it did not create: the target stays.
    expect((await send('porthole-e2e', 'DELETE', `pods/${TARGET}`)).status).toBe(403);
    expect((await apiRequest(harness.ready, 'GET', `/api/v1/namespaces/default/pods/${TARGET}`)).status).toBe(200);
  }, 60_000);
});
