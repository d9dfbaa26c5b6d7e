// `kubectl debug` (real kubectl 1.33) against the local cluster, next to Porthole's own request: the strategic-merge
// patch Porthole sends is the one kubectl sends, and the ephemeral container both add is the same in the pod.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ephemeralContainer, ephemeralContainerPatch, type PodJson } from '../../src/k8s/debug.ts';
import { startLocalCluster, type LocalCluster } from './index.ts';
import { kubectl, kubectlBinary } from './testing/kubectl.ts';

let cluster: LocalCluster;
let dir: string;
let kubeconfig: string;

beforeAll(async () => {
  if (!existsSync(kubectlBinary('1.33'))) throw new Error('needs the real kubectl 1.33');
  cluster = await startLocalCluster({ log: () => {} });
  dir = mkdtempSync(join(tmpdir(), 'porthole-kubectl-debug-'));
  kubeconfig = join(dir, 'kubeconfig');
  await cluster.writeKubeconfig(kubeconfig);
}, 120_000);

afterAll(async () => {
  await cluster?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function api(method: string, path: string, body?: unknown): Promise<{ status: number; json: PodJson }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = request(
      new URL(path, cluster.server),
      {
        method,
        ca: cluster.caData,
        servername: 'localhost',
        headers: {
          Authorization: `Bearer ${cluster.token}`,
          ...(payload
            ? { 'Content-Type': 'application/strategic-merge-patch+json', 'Content-Length': String(payload.length) }
            : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString()) as PodJson }),
        );
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** kubectl's logged request body for its PATCH (klog -v=8 prints it as a quoted Go string). */
function patchBody(stderr: string): unknown {
  const line = stderr.split('\n').find((l) => l.includes('"Request Body"') && l.includes('ephemeralContainers'));
  if (!line) throw new Error(`kubectl logged no PATCH body:\n${stderr}`);
  return JSON.parse(JSON.parse(line.slice(line.indexOf('body=') + 5)) as string);
}

const withoutName = (c: unknown) => {
  const { name: _name, ...rest } = c as { name: string };
  return rest;
};

describe('Porthole adds an ephemeral container exactly as kubectl debug -it does', () => {
  it.each([
    { name: 'with --target', target: 'app' as string | undefined },
    { name: 'without a target', target: undefined },
  ])(
    '$name',
    async ({ target }) => {
      const tag = target ? 't' : 'n';
      const args = ['debug', 'multi', '--image=busybox', '-i', '-t', '--attach=false', `-c`, `kubectl-${tag}`, '-v=8'];
      const run = await kubectl('1.33', kubeconfig, target ? [...args, `--target=${target}`] : args);
      expect(run.code, run.stderr).toBe(0);
      const kubectlPatch = patchBody(run.stderr);

      const before = (await api('GET', '/api/v1/namespaces/default/pods/multi')).json;
      const ours = ephemeralContainerPatch(
        before,
        ephemeralContainer({ name: `porthole-${tag}`, image: 'busybox', ...(target ? { target } : {}) }),
      );
      // The same patch, but for the name and the $setElementOrder kubectl's own container adds for ours.
      const spec = (ours as { spec: Record<string, unknown[]> }).spec;
      expect(spec.ephemeralContainers!.map(withoutName)).toEqual(
        (kubectlPatch as { spec: { ephemeralContainers: unknown[] } }).spec.ephemeralContainers.map(withoutName),
      );
      const patched = await api('PATCH', '/api/v1/namespaces/default/pods/multi/ephemeralcontainers', ours);
      expect(patched.status).toBe(200);
      const added = patched.json.spec!.ephemeralContainers!;
      const theirs = added.find((c) => c.name === `kubectl-${tag}`);
      const mine = added.find((c) => c.name === `porthole-${tag}`);
      expect(mine && withoutName(mine)).toEqual(theirs && withoutName(theirs));
      expect(mine).toMatchObject({ stdin: true, tty: true, image: 'busybox' });
    },
    60_000,
  );
});
