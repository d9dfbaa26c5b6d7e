// Shell recordings: the pod's output and the terminal's resizes as asciicast v2, never the keystrokes; listed
// and served only to their owner.

import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { RecordingStore } from './recording.ts';
import { startFakeCluster, type FakeCluster, type FakeSession } from './testing/fake-cluster.ts';
import {
  FAKE_TOKEN,
  SHELL_PATH,
  TTY_QUERY,
  login,
  startTestPorthole,
  waitUntil,
  type TestPorthole,
} from './testing/harness.ts';
import { makeTestCertificates, type TestCertificates } from './testing/tls.ts';

const frame = (channel: number, payload: string | Buffer) =>
  Buffer.concat([Buffer.from([channel]), Buffer.isBuffer(payload) ? payload : Buffer.from(payload)]);

describe('RecordingStore', () => {
  const target = { cluster: 'c', namespace: 'default', pod: 'p', subresource: 'exec' as const, tty: true, stdin: true };
  it("keeps output and resizes, decodes UTF-8 split across messages, and serves only its owner's files", () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'porthole-rec-')), 'recordings');
    const store = new RecordingStore(dir);
    const rec = store.start(7, target, { subject: 'alice', groups: [] }, 'v5.channel.k8s.io');
    const euro = Buffer.from('€'); // three bytes
    rec.fromCluster(frame(1, Buffer.concat([Buffer.from('price: '), euro.subarray(0, 1)])));
    rec.fromCluster(frame(1, Buffer.concat([euro.subarray(1), Buffer.from('5\r\n')])));
    rec.fromBrowser(frame(0, 'hunter2\r'));
    rec.fromBrowser(frame(4, '{"Width":100,"Height":30}'));
    rec.fromCluster(frame(3, '{"status":"Success"}'));
    rec.close();

    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const [name] = readdirSync(dir);
    expect(statSync(join(dir, name!)).mode & 0o777).toBe(0o600);
    expect(store.list('alice').map((r) => r.name)).toEqual([name]);
    expect(store.list('bob')).toEqual([]);
    expect(store.read(name!, 'bob')).toBeUndefined();
    expect(store.read('../etc/passwd', 'alice')).toBeUndefined();

    const [header, ...events] = store
      .read(name!, 'alice')!
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as unknown);
    expect(header).toMatchObject({
      version: 2,
      width: 80,
      height: 24,
      title: 'exec c/default/p',
      porthole: { shell: 7, who: 'alice' },
    });
    const kinds = (events as [number, string, string][]).map(([, kind, data]) => [kind, data]);
    expect(kinds).toEqual([
      ['o', 'price: '],
      ['o', '€5\r\n'],
      ['r', '100x30'],
    ]);
    expect(JSON.stringify(events)).not.toContain('hunter2');
  });
});

describe('through the server', () => {
  let certs: TestCertificates;
  let fake: FakeCluster;
  let t: TestPorthole | undefined;
  beforeAll(async () => {
    certs = makeTestCertificates();
    fake = await startFakeCluster({ certs, token: FAKE_TOKEN });
  });
  afterAll(async () => {
    await t?.close();
    await fake.close();
  });

  it('a recorded TTY exec is listed and served to the logged-in user, and named in the audit line', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'porthole-rec-')), 'recordings');
    t = await startTestPorthole(fake, certs, { recordDir: dir });
    const origin = t.origin;
    const cookie = await login(t);
    const before = fake.sessions.length;
    const ws = new WebSocket(origin.replace(/^http/, 'ws') + SHELL_PATH + TTY_QUERY, ['v5.channel.k8s.io'], {
      headers: { Origin: origin, Cookie: cookie },
    });
    const closed = new Promise<void>((resolve) => ws.on('close', () => resolve()));
    await new Promise<void>((resolve, reject) => {
      ws.on('open', () => resolve());
      ws.on('error', reject);
    });
    await waitUntil(() => fake.sessions.length > before, 'the upstream session exists');
    const upstream = fake.sessions[fake.sessions.length - 1] as FakeSession;
    ws.send(frame(4, '{"Width":120,"Height":40}'));
    ws.send(frame(0, 'secret-typed\r'));
    await waitUntil(() => upstream.received.length >= 2, 'the browser messages reached the cluster');
    upstream.ws.send(frame(1, '$ '));
    upstream.ws.close(1000);
    await closed;

    const list = await fetch(`${origin}/porthole/api/recordings`, { headers: { Cookie: cookie } });
    expect(list.status).toBe(200);
    const { recordings } = (await list.json()) as { recordings: { name: string; title: string }[] };
    expect(recordings).toHaveLength(1);
    expect(recordings[0]!.title).toBe('exec fake/default/shell (main)');
    const file = await fetch(`${origin}/porthole/api/recordings/${recordings[0]!.name}`, {
      headers: { Cookie: cookie },
    });
    expect(file.headers.get('content-type')).toBe('application/x-asciicast');
    const text = await file.text();
    expect(text).toContain('"r","120x40"]');
    expect(text).toContain('"o","$ "]');
    expect(text).not.toContain('secret-typed');
    expect(t.logs.find((l) => l.startsWith('audit ') && l.includes('shell.opened'))).toContain(
      `"recording":"${recordings[0]!.name}"`,
    );

    expect((await fetch(`${origin}/porthole/api/recordings`)).status).toBe(401);
    const missing = await fetch(`${origin}/porthole/api/recordings/nope.cast`, { headers: { Cookie: cookie } });
    expect(missing.status).toBe(404);
  });

  it('without --record-dir the API says recording is off', async () => {
    await t?.close();
    t = await startTestPorthole(fake, certs);
    const cookie = await login(t);
    const r = await fetch(`${t.origin}/porthole/api/recordings`, { headers: { Cookie: cookie } });
    expect(r.status).toBe(404);
    expect(((await r.json()) as { error: string }).error).toBe(
      'shell recording is off: start Porthole with --record-dir DIR to record shells',
    );
  });
});
