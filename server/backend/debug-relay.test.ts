// The debugging writes through `porthole serve` against a fake cluster: what reaches the cluster (method, body,
// the backend's credential), what never does, the delete of only a pod this session created, and the audit record.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STRATEGIC_MERGE_PATCH } from './debug-writes.ts';
import { startFakeCluster, type FakeCluster } from './testing/fake-cluster.ts';
import { FAKE_TOKEN, login, startTestPorthole, type TestPorthole } from './testing/harness.ts';
import { makeTestCertificates } from './testing/tls.ts';

let fake: FakeCluster;
let t: TestPorthole;
let cookie: string;

beforeAll(async () => {
  const certs = makeTestCertificates();
  fake = await startFakeCluster({ certs, token: FAKE_TOKEN });
  t = await startTestPorthole(fake, certs);
  cookie = await login(t);
});

afterAll(async () => {
  await t.close();
  await fake.close();
});

const pods = '/clusters/fake/api/v1/namespaces/default/pods';
const send = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  fetch(`${t.origin}${path}`, {
    method,
    headers: { Cookie: cookie, Origin: t.origin, 'Content-Type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
const patch = { spec: { ephemeralContainers: [{ name: 'debugger-abcde', image: 'busybox', stdin: true, tty: true }] } };
const debugPod = {
  kind: 'Pod',
  apiVersion: 'v1',
  metadata: { generateName: 'porthole-debug-' },
  spec: { hostUsers: false, containers: [{ name: 'debug', image: 'busybox', stdin: true, tty: true }] },
};

describe('debugging writes reach the cluster with the backend credential', () => {
  it('PATCH ephemeralcontainers: the strategic-merge patch, unchanged', async () => {
    const response = await send('PATCH', `${pods}/web/ephemeralcontainers`, patch, {
      'Content-Type': STRATEGIC_MERGE_PATCH,
    });
    expect(response.status).toBe(200);
    const sent = fake.requests.at(-1)!;
    expect(sent.method).toBe('PATCH');
    expect(sent.url).toBe('/api/v1/namespaces/default/pods/web/ephemeralcontainers');
    expect(sent.headers['content-type']).toBe(STRATEGIC_MERGE_PATCH);
    expect(sent.headers.authorization).toBe(`Bearer ${FAKE_TOKEN}`);
    expect(sent.headers.cookie).toBeUndefined();
    expect(JSON.parse(sent.body!.toString())).toEqual(patch);
  });

  it("the cluster's refusal (RBAC) comes back as its own Status, and is audited", async () => {
    const response = await send('PATCH', `${pods}/forbidden/ephemeralcontainers`, patch, {
      'Content-Type': STRATEGIC_MERGE_PATCH,
    });
    expect(response.status).toBe(403);
    const status = (await response.json()) as { kind: string; message: string };
    expect(status.kind).toBe('Status');
    expect(status.message).toContain('cannot patch resource "pods/ephemeralcontainers"');
    expect(t.porthole.debugWrites().at(-1)).toMatchObject({
      verb: 'patch',
      resource: 'pods/ephemeralcontainers',
      namespace: 'default',
      name: 'forbidden',
      containers: ['debugger-abcde'],
      status: 403,
      refusedBy: 'cluster',
    });
    const line = t.logs.filter((l) => l.startsWith('audit ') && l.includes('"debug.write"')).at(-1);
    expect(JSON.parse(line!.slice('audit '.length))).toMatchObject({ verb: 'patch', name: 'forbidden', status: 403 });
  });

  it('POST a debug pod, then DELETE it: with the uid precondition of the pod created, not the browser body', async () => {
    const created = await send('POST', pods, debugPod);
    expect(created.status).toBe(201);
    const name = ((await created.json()) as { metadata: { name: string } }).metadata.name;
    expect(name).toBe('porthole-debug-x7k2q');
    const deleted = await send('DELETE', `${pods}/${name}`, {
      preconditions: { uid: 'another' },
      gracePeriodSeconds: 0,
    });
    expect(deleted.status).toBe(200);
    const sent = fake.requests.at(-1)!;
    expect(sent.method).toBe('DELETE');
    expect(JSON.parse(sent.body!.toString())).toEqual({
      kind: 'DeleteOptions',
      apiVersion: 'v1',
      preconditions: { uid: `uid-of-${name}` },
    });
    // Once deleted it is no longer this session's to delete.
    const before = fake.requests.length;
    expect((await send('DELETE', `${pods}/${name}`)).status).toBe(403);
    expect(fake.requests.length).toBe(before);
    expect(
      t.porthole
        .debugWrites()
        .slice(-3)
        .map((r) => [r.verb, r.name, r.status]),
    ).toEqual([
      ['create', name, 201],
      ['delete', name, 200],
      ['delete', name, 403],
    ]);
  });

  it('a pod created by this session cannot be deleted by another session', async () => {
    const created = await send('POST', pods, { ...debugPod, metadata: { name: 'mine' } });
    expect(created.status).toBe(201);
    const other = await login(t);
    const before = fake.requests.length;
    const response = await send('DELETE', `${pods}/mine`, undefined, { Cookie: other });
    expect(response.status).toBe(403);
    expect(((await response.json()) as { error: string }).error).toMatch(/only the debug pods this session created/);
    expect(fake.requests.length).toBe(before);
  });
});

describe('everything else stays refused, with no upstream request', () => {
  it.each([
    { name: 'DELETE a pod nobody created here', method: 'DELETE', path: `${pods}/web`, body: undefined, status: 403 },
    {
      name: 'POST a pod without hostUsers: false',
      method: 'POST',
      path: pods,
      body: { ...debugPod, spec: { containers: [] } },
      status: 403,
    },
    {
      name: 'POST a hostPID pod',
      method: 'POST',
      path: pods,
      body: { ...debugPod, spec: { ...debugPod.spec, hostPID: true } },
      status: 403,
    },
    {
      name: 'PATCH ephemeralcontainers as JSON merge patch',
      method: 'PATCH',
      path: `${pods}/web/ephemeralcontainers`,
      body: patch,
      status: 415,
    },
    { name: 'PATCH the pod itself', method: 'PATCH', path: `${pods}/web`, body: patch, status: 403 },
    { name: 'PUT the pod', method: 'PUT', path: `${pods}/web`, body: debugPod, status: 403 },
    {
      name: 'POST exec (SPDY-style)',
      method: 'POST',
      path: `${pods}/web/exec?command=sh`,
      body: undefined,
      status: 403,
    },
    {
      name: 'POST a secret',
      method: 'POST',
      path: '/clusters/fake/api/v1/namespaces/default/secrets',
      body: {},
      status: 403,
    },
    {
      name: 'DELETE a namespace',
      method: 'DELETE',
      path: '/clusters/fake/api/v1/namespaces/default',
      body: undefined,
      status: 403,
    },
  ])('$name → $status', async ({ method, path, body, status }) => {
    const before = fake.requests.length;
    const response = await send(method, path, body);
    expect(response.status).toBe(status);
    expect(fake.requests.length).toBe(before);
  });

  it.each([
    { name: 'no Origin', headers: { Origin: '' } },
    { name: 'a foreign Origin', headers: { Origin: 'http://evil.example' } },
  ])('a write with $name → 403 (CSRF)', async ({ headers }) => {
    const before = fake.requests.length;
    const init: RequestInit = {
      method: 'POST',
      headers: { Cookie: cookie, 'Content-Type': 'application/json', ...(headers.Origin ? headers : {}) },
      body: JSON.stringify(debugPod),
    };
    expect((await fetch(`${t.origin}${pods}`, init)).status).toBe(403);
    expect(fake.requests.length).toBe(before);
  });

  it('a write without a session → 401', async () => {
    const response = await fetch(`${t.origin}${pods}`, {
      method: 'POST',
      headers: { Origin: t.origin, 'Content-Type': 'application/json' },
      body: JSON.stringify(debugPod),
    });
    expect(response.status).toBe(401);
  });
});
