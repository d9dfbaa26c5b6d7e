// The debugging writes as a spec: which method may reach which path, and what each body may say. Everything else
// stays refused, before any upstream connection.

import { describe, expect, it } from 'vitest';
import { checkDebugBody, debugPodProblem, STRATEGIC_MERGE_PATCH, type DebugWriteRoute } from './debug-writes.ts';
import { parseClusterRequest, type RelayedMethod } from './routes.ts';

const base = '/clusters/local/api/v1/namespaces/default/pods';

describe('parseClusterRequest: the debugging writes', () => {
  it.each([
    { method: 'PATCH', target: `${base}/web/ephemeralcontainers`, kind: 'patch-ephemeral-containers' },
    { method: 'POST', target: base, kind: 'create-pod' },
    { method: 'DELETE', target: `${base}/debug-x7k2q`, kind: 'delete-pod' },
  ] as Array<{ method: RelayedMethod; target: string; kind: string }>)(
    '$method $target',
    ({ method, target, kind }) => {
      const result = parseClusterRequest(target, method);
      expect(result.ok && result.request.route.kind).toBe(kind);
      expect(result.ok && result.request.method).toBe(method);
    },
  );

  it.each([
    // Each write method has one route; nothing else under it.
    { method: 'PATCH', target: `${base}/web` },
    { method: 'PATCH', target: `${base}/web/status` },
    { method: 'PATCH', target: `${base}/web/ephemeralcontainers/more` },
    { method: 'PATCH', target: '/clusters/local/api/v1/namespaces/default' },
    { method: 'POST', target: `${base}/web/exec` },
    { method: 'POST', target: `${base}/web/eviction` },
    { method: 'POST', target: `${base}/web/ephemeralcontainers` },
    { method: 'POST', target: '/clusters/local/api/v1/namespaces' },
    { method: 'POST', target: '/clusters/local/api/v1/namespaces/default/secrets' },
    { method: 'POST', target: '/clusters/local/api/v1/namespaces/default/serviceaccounts/default/token' },
    { method: 'POST', target: '/clusters/local/apis/apps/v1/namespaces/default/deployments' },
    { method: 'DELETE', target: base },
    { method: 'DELETE', target: `${base}/web/ephemeralcontainers` },
    { method: 'DELETE', target: '/clusters/local/api/v1/namespaces/default' },
    { method: 'DELETE', target: '/clusters/local/api/v1/namespaces/default/secrets/s' },
    // Reads stay reads: the GET allowlist knows no write route.
    { method: 'GET', target: `${base}/web/ephemeralcontainers` },
    // Query parameters (dryRun, fieldManager, force…) are not part of the debugging flow.
    { method: 'PATCH', target: `${base}/web/ephemeralcontainers?force=true` },
    { method: 'POST', target: `${base}?dryRun=All` },
    { method: 'DELETE', target: `${base}/p?gracePeriodSeconds=0` },
  ] as Array<{ method: RelayedMethod; target: string }>)('$method $target → 403', ({ method, target }) => {
    const result = parseClusterRequest(target, method);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.status).toBe(403);
  });
});

const patchRoute: DebugWriteRoute = { kind: 'patch-ephemeral-containers', namespace: 'default', pod: 'web' };
const createRoute: DebugWriteRoute = { kind: 'create-pod', namespace: 'default' };
const json = (value: unknown) => Buffer.from(JSON.stringify(value));

const debugger_ = { name: 'debugger-abcde', image: 'busybox', stdin: true, tty: true, targetContainerName: 'app' };
const debugPod = {
  kind: 'Pod',
  apiVersion: 'v1',
  metadata: { generateName: 'porthole-debug-' },
  spec: { hostUsers: false, containers: [{ name: 'debug', image: 'busybox', stdin: true, tty: true }] },
};

describe('the ephemeralcontainers patch body', () => {
  it.each([
    { name: 'one new container', body: { spec: { ephemeralContainers: [debugger_] } } },
    {
      name: "kubectl's $setElementOrder when the pod had one already",
      body: {
        spec: {
          '$setElementOrder/ephemeralContainers': [{ name: 'debugger-old' }, { name: 'debugger-abcde' }],
          ephemeralContainers: [debugger_],
        },
      },
    },
  ])('accepted: $name', ({ body }) => {
    expect(checkDebugBody(patchRoute, STRATEGIC_MERGE_PATCH, json(body))).toMatchObject({ ok: true });
  });

  it.each([
    { name: 'a JSON merge patch', type: 'application/merge-patch+json', body: { spec: {} }, status: 415 },
    { name: 'a JSON patch', type: 'application/json-patch+json', body: [], status: 415 },
    { name: 'no content type', type: undefined, body: {}, status: 415 },
    { name: 'not JSON', type: STRATEGIC_MERGE_PATCH, body: 'nope', status: 400 },
    {
      name: 'metadata too',
      type: STRATEGIC_MERGE_PATCH,
      body: { metadata: { labels: { a: 'b' } }, spec: {} },
      status: 403,
    },
    {
      name: 'another spec field',
      type: STRATEGIC_MERGE_PATCH,
      body: { spec: { ephemeralContainers: [debugger_], nodeName: 'n' } },
      status: 403,
    },
    { name: 'an empty list', type: STRATEGIC_MERGE_PATCH, body: { spec: { ephemeralContainers: [] } }, status: 403 },
    {
      name: 'a nameless container',
      type: STRATEGIC_MERGE_PATCH,
      body: { spec: { ephemeralContainers: [{ image: 'x' }] } },
      status: 403,
    },
    {
      name: 'a $patch: delete directive',
      type: STRATEGIC_MERGE_PATCH,
      body: { spec: { ephemeralContainers: [{ name: 'debugger-old', $patch: 'delete' }] } },
      status: 403,
    },
    { name: 'a $patch on spec', type: STRATEGIC_MERGE_PATCH, body: { spec: { $patch: 'replace' } }, status: 403 },
  ])('refused: $name → $status', ({ type, body, status }) => {
    const raw = typeof body === 'string' ? Buffer.from(body) : json(body);
    expect(checkDebugBody(patchRoute, type, raw)).toMatchObject({ ok: false, status });
  });
});

describe('the debug pod body', () => {
  const withSpec = (spec: Record<string, unknown>) => ({ ...debugPod, spec: { ...debugPod.spec, ...spec } });
  it('accepts a hostUsers: false pod, with volumes and env copied from another pod', () => {
    const copied = withSpec({
      volumes: [
        { name: 'data', persistentVolumeClaim: { claimName: 'data' } },
        { name: 'cfg', configMap: { name: 'c' } },
      ],
    });
    expect(debugPodProblem(copied, 'default')).toBeUndefined();
    expect(checkDebugBody(createRoute, 'application/json; charset=utf-8', json(copied))).toMatchObject({ ok: true });
  });

  it.each([
    {
      name: 'hostUsers left out',
      pod: { ...debugPod, spec: { containers: debugPod.spec.containers } },
      why: /hostUsers: false/,
    },
    { name: 'hostUsers: true', pod: withSpec({ hostUsers: true }), why: /hostUsers: false/ },
    { name: 'hostPID', pod: withSpec({ hostPID: true }), why: /hostPID/ },
    { name: 'hostNetwork', pod: withSpec({ hostNetwork: true }), why: /hostNetwork/ },
    { name: 'hostIPC', pod: withSpec({ hostIPC: true }), why: /hostIPC/ },
    {
      name: 'a hostPath volume',
      pod: withSpec({ volumes: [{ name: 'root', hostPath: { path: '/' } }] }),
      why: /hostPath/,
    },
    {
      name: 'a privileged container',
      pod: withSpec({ containers: [{ name: 'd', image: 'busybox', securityContext: { privileged: true } }] }),
      why: /privileged/,
    },
    {
      name: 'another namespace',
      pod: { ...debugPod, metadata: { name: 'x', namespace: 'kube-system' } },
      why: /does not match/,
    },
    { name: 'not a Pod', pod: { ...debugPod, kind: 'Deployment' }, why: /v1 Pod/ },
  ])('refuses $name', ({ pod, why }) => {
    expect(debugPodProblem(pod, 'default')).toMatch(why);
    expect(checkDebugBody(createRoute, 'application/json', json(pod))).toMatchObject({ ok: false, status: 403 });
  });
});
