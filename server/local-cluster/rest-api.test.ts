// The REST surface kubectl and the UI read: discovery, namespaces, pods (JSON, Table, selectors, paging) and the
// apiserver's Status errors with its exact wording.
import { request } from 'node:https';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCluster, type LocalCluster } from './index.ts';

const PODS = fileURLToPath(new URL('./testing/test-pods.yaml', import.meta.url));
let cluster: LocalCluster;

beforeAll(async () => {
  cluster = await startLocalCluster({ podsFile: PODS, log: () => {} });
}, 120_000);

afterAll(async () => {
  await cluster?.close();
});

interface Answer {
  code: number;
  headerNames: string[];
  type: string | undefined;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies are probed field by field in tests
  json: any;
}

function get(path: string, options: { method?: string; token?: string | null; accept?: string } = {}): Promise<Answer> {
  const url = new URL(path, cluster.server);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {};
    const token = options.token === undefined ? cluster.token : options.token;
    if (token !== null) headers.Authorization = `Bearer ${token}`;
    if (options.accept) headers.Accept = options.accept;
    const req = request(url, { method: options.method ?? 'GET', ca: cluster.caData, headers }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => {
        let json: unknown = null;
        try {
          json = JSON.parse(text);
        } catch {
          // not JSON
        }
        resolve({
          code: res.statusCode ?? 0,
          headerNames: res.rawHeaders.filter((_, i) => i % 2 === 0),
          type: res.headers['content-type'],
          text,
          json,
        });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

const status = (code: number, reason: string, message: string, details?: object) =>
  JSON.stringify({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  }) + '\n'; // the apiserver's serializer ends every object with a newline

describe('discovery', () => {
  it('serves /api, /apis and /api/v1 with the resources kubectl maps', async () => {
    const api = await get('/api');
    expect(api.json).toMatchObject({ kind: 'APIVersions', versions: ['v1'] });
    expect((await get('/apis')).json).toEqual({ kind: 'APIGroupList', apiVersion: 'v1', groups: [] });
    const v1 = await get('/api/v1', {
      accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json',
    });
    expect(v1.type).toBe('application/json');
    expect(v1.json.resources.map((r: { name: string }) => r.name)).toEqual([
      'namespaces',
      'pods',
      'pods/attach',
      'pods/ephemeralcontainers',
      'pods/exec',
    ]);
  });

  it('answers /version without credentials', async () => {
    expect((await get('/version', { token: null })).json).toMatchObject({
      major: '1',
      gitVersion: expect.stringMatching(/^v1\./),
    });
  });
});

describe('pods', () => {
  it('lists pods as real Pod JSON, sorted by namespace and name', async () => {
    const list = await get('/api/v1/pods');
    expect(list.json.kind).toBe('PodList');
    expect(
      list.json.items.map(
        (p: { metadata: { namespace: string; name: string } }) => `${p.metadata.namespace}/${p.metadata.name}`,
      ),
    ).toEqual(['default/multi', 'default/once', 'default/shell']);
    const multi = list.json.items[0];
    expect(multi.kind).toBeUndefined(); // list items carry no TypeMeta
    expect(multi.metadata).toMatchObject({
      uid: expect.stringMatching(/^[0-9a-f-]{36}$/),
      resourceVersion: expect.stringMatching(/^\d+$/),
      creationTimestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      annotations: { 'kubectl.kubernetes.io/default-container': 'app' },
    });
    expect(multi.spec.initContainers.map((c: { name: string }) => c.name)).toEqual(['init']);
    expect(multi.spec.containers.map((c: { name: string }) => c.name)).toEqual(['app', 'sidecar']);
    expect(multi.spec.hostUsers).toBe(false);
    expect(multi.status.phase).toBe('Running');
    expect(multi.status.initContainerStatuses[0].state.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
    expect(multi.status.containerStatuses.map((c: { name: string; ready: boolean }) => [c.name, c.ready])).toEqual([
      ['app', true],
      ['sidecar', true],
    ]);
  });

  it('gets one pod with kind and apiVersion, TTY and stdin flags', async () => {
    const pod = await get('/api/v1/namespaces/default/pods/shell');
    expect(pod.json).toMatchObject({
      kind: 'Pod',
      apiVersion: 'v1',
      metadata: { name: 'shell', namespace: 'default' },
    });
    expect(pod.json.spec.containers[0]).toMatchObject({ name: 'main', tty: true, stdin: true });
  });

  it('renders a Table when kubectl asks for one', async () => {
    const table = await get('/api/v1/namespaces/default/pods?limit=500', {
      accept:
        'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json',
    });
    expect(table.json.kind).toBe('Table');
    expect(
      table.json.columnDefinitions.map((c: { name: string; priority: number }) => `${c.name}:${c.priority}`),
    ).toEqual([
      'Name:0',
      'Ready:0',
      'Status:0',
      'Restarts:0',
      'Age:0',
      'IP:1',
      'Node:1',
      'Nominated Node:1',
      'Readiness Gates:1',
    ]);
    expect(table.json.rows[0].cells.slice(0, 4)).toEqual(['multi', '2/2', 'Running', '0']);
    expect(table.json.rows[0].object).toMatchObject({ kind: 'PartialObjectMetadata', metadata: { name: 'multi' } });
  });

  it.each([
    ['labelSelector=app%3Dnone', []],
    ['fieldSelector=metadata.name%3Dshell', ['shell']],
    ['fieldSelector=metadata.name!%3Dshell', ['multi', 'once']],
  ])('filters with %s', async (query, names) => {
    const list = await get(`/api/v1/namespaces/default/pods?${query}`);
    expect(list.json.items.map((p: { metadata: { name: string } }) => p.metadata.name)).toEqual(names);
  });

  it('pages with limit and continue', async () => {
    const first = await get('/api/v1/pods?limit=2');
    expect(first.json.items).toHaveLength(2);
    expect(first.json.metadata.remainingItemCount).toBe(1);
    const rest = await get(`/api/v1/pods?limit=2&continue=${first.json.metadata.continue}`);
    expect(rest.json.items.map((p: { metadata: { name: string } }) => p.metadata.name)).toEqual(['shell']);
    expect(rest.json.metadata.continue).toBeUndefined();
  });

  it('an empty namespace lists no pods', async () => {
    expect((await get('/api/v1/namespaces/empty/pods')).json.items).toEqual([]);
  });
});

describe('namespaces', () => {
  it('lists and gets namespaces', async () => {
    const list = await get('/api/v1/namespaces');
    expect(list.json.items.map((n: { metadata: { name: string } }) => n.metadata.name)).toEqual(['default', 'empty']);
    const ns = await get('/api/v1/namespaces/empty');
    expect(ns.json).toMatchObject({ kind: 'Namespace', metadata: { name: 'empty' }, status: { phase: 'Active' } });
  });
});

describe('responses, framed as the apiserver frames them', () => {
  it('sends Audit-Id, Cache-Control, Content-Type, Date and Content-Length, and a newline after the JSON', async () => {
    const answer = await get('/api/v1/namespaces/default/pods/shell');
    expect(answer.headerNames.slice(0, 5)).toEqual([
      'Audit-Id',
      'Cache-Control',
      'Content-Type',
      'Date',
      'Content-Length',
    ]);
    expect(answer.text.endsWith('}\n')).toBe(true);
  });

  it('writes /version indented, without a trailing newline', async () => {
    const answer = await get('/version');
    expect(answer.text).toMatch(/^\{\n {2}"major": "1",\n/);
    expect(answer.text.endsWith('}')).toBe(true);
  });

  it("answers paths outside the API with the plain-text 404 of Go's mux", async () => {
    const answer = await get('/foo');
    expect(answer.code).toBe(404);
    expect(answer.type).toBe('text/plain; charset=utf-8');
    expect(answer.text).toBe('404 page not found\n');
  });
});

describe('errors, as the apiserver words them', () => {
  it.each([
    [
      'unknown pod',
      '/api/v1/namespaces/default/pods/nope',
      {},
      404,
      status(404, 'NotFound', 'pods "nope" not found', { name: 'nope', kind: 'pods' }),
    ],
    [
      'pod in an unknown namespace',
      '/api/v1/namespaces/nowhere/pods/shell',
      {},
      404,
      status(404, 'NotFound', 'pods "shell" not found', { name: 'shell', kind: 'pods' }),
    ],
    [
      'unknown namespace',
      '/api/v1/namespaces/nowhere',
      {},
      404,
      status(404, 'NotFound', 'namespaces "nowhere" not found', { name: 'nowhere', kind: 'namespaces' }),
    ],
    [
      'unknown resource',
      '/api/v1/secrets',
      {},
      404,
      status(404, 'NotFound', 'the server could not find the requested resource', {}),
    ],
    ['no token', '/api/v1/pods', { token: null }, 401, status(401, 'Unauthorized', 'Unauthorized')],
    ['a wrong token', '/api/v1/pods', { token: 'wrong' }, 401, status(401, 'Unauthorized', 'Unauthorized')],
    [
      'a write other than the debugging ones (PUT)',
      '/api/v1/namespaces/default/pods/shell',
      { method: 'PUT' },
      405,
      status(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {}),
    ],
    [
      'a plain GET on exec',
      '/api/v1/namespaces/default/pods/shell/exec?command=sh&stdout=true',
      {},
      400,
      status(400, 'BadRequest', 'Upgrade request required'),
    ],
    [
      'a plain GET on attach of an unknown pod',
      '/api/v1/namespaces/default/pods/nope/attach?stdout=true',
      {},
      404,
      status(404, 'NotFound', 'pods "nope" not found', { name: 'nope', kind: 'pods' }),
    ],
    [
      'a plain GET on exec without a container',
      '/api/v1/namespaces/default/pods/multi/exec?command=sh',
      {},
      400,
      status(400, 'BadRequest', 'a container name must be specified for pod multi, choose one of: [init app sidecar]'),
    ],
    [
      'a bad label selector',
      '/api/v1/pods?labelSelector=a%20b%20c',
      {},
      400,
      status(400, 'BadRequest', "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"),
    ],
    [
      'an unsupported field selector',
      '/api/v1/pods?fieldSelector=spec.foo%3Dx',
      {},
      400,
      status(400, 'BadRequest', 'field label not supported: spec.foo'),
    ],
  ])('%s', async (_name, path, options, code, body) => {
    const answer = await get(path, options);
    expect(answer.code).toBe(code);
    expect(answer.type).toBe('application/json');
    expect(answer.text).toBe(body);
  });
});
