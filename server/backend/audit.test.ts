// The shell audit: a JSON line when a shell opens and one when it closes, written to a 0600 file, with the exit
// code the cluster reported and no credential anywhere in it.

import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { exitCodeOf, fileAuditSink, redact, type ShellAuditRecord } from './audit.ts';
import { startFakeCluster, type FakeCluster, type FakeSession } from './testing/fake-cluster.ts';
import { FAKE_TOKEN, SHELL_PATH, login, startTestPorthole, waitUntil, type TestPorthole } from './testing/harness.ts';
import { makeTestCertificates, type TestCertificates } from './testing/tls.ts';

describe('redact: what looks like a credential never reaches the audit log', () => {
  it.each([
    ['a JWT', 'curl -H x eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln', 'curl -H x [redacted jwt]'],
    ['a bearer credential', 'Authorization: Bearer abc.def', 'Authorization: Bearer [redacted]'],
    ['a --token= flag', 'kubectl --token=s3cr3t get pods', 'kubectl --token=[redacted] get pods'],
    ['a password= pair', 'mysql password=hunter2', 'mysql password=[redacted]'],
    ['an ordinary command', 'ls -la /tmp', 'ls -la /tmp'],
  ])('%s', (_, input, output) => expect(redact(input)).toBe(output));
});

describe('exitCodeOf: the error channel (3) Status of v4/v5', () => {
  const raw = (status: object) => Buffer.concat([Buffer.from([3]), Buffer.from(JSON.stringify(status))]);
  it('Success is 0', () => expect(exitCodeOf(raw({ metadata: {}, status: 'Success' }), false)).toBe(0));
  it('NonZeroExitCode carries the code in its ExitCode cause', () =>
    expect(
      exitCodeOf(
        raw({
          status: 'Failure',
          reason: 'NonZeroExitCode',
          details: { causes: [{ reason: 'ExitCode', message: '3' }] },
        }),
        false,
      ),
    ).toBe(3));
  it('other channels and other failures are not an exit', () => {
    expect(exitCodeOf(Buffer.from([1, 104, 105]), false)).toBeUndefined();
    expect(exitCodeOf(raw({ status: 'Failure', reason: 'InternalError' }), false)).toBeUndefined();
  });
  it('the base64 protocols: an ASCII channel digit and base64', () =>
    expect(exitCodeOf('3' + Buffer.from('{"status":"Success"}').toString('base64'), true)).toBe(0));
});

describe('fileAuditSink', () => {
  it('refuses a log file others may read', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'porthole-audit-')), 'audit.log');
    writeFileSync(file, '', { mode: 0o644 });
    expect(() => fileAuditSink(file)).toThrow(/may be read by others \(mode 0644\): chmod 600 it/);
  });
});

describe('through the server: an exec opened and closed', () => {
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

  it('writes the opened and the closed line, with the exit code, bytes and no credential', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'porthole-audit-')), 'audit.log');
    t = await startTestPorthole(fake, certs, { auditLog: file });
    const cookie = await login(t);
    const sessionsBefore = fake.sessions.length;
    const query = '?command=sh&command=-c&command=echo%20--token%3Dsecret&container=main&stdout=true';
    const origin = t.origin;
    const ws = new WebSocket(origin.replace(/^http/, 'ws') + SHELL_PATH + query, ['v5.channel.k8s.io'], {
      headers: { Origin: origin, Cookie: cookie, 'User-Agent': 'audit-test/1' },
    });
    const closed = new Promise<number>((resolve) => ws.on('close', (code: number) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      ws.on('open', () => resolve());
      ws.on('error', reject);
    });
    await waitUntil(() => fake.sessions.length > sessionsBefore, 'the upstream session exists');
    const upstream = fake.sessions[fake.sessions.length - 1] as FakeSession;
    upstream.ws.send(Buffer.from([1, ...Buffer.from('hello\n')]));
    const exit = {
      status: 'Failure',
      reason: 'NonZeroExitCode',
      details: { causes: [{ reason: 'ExitCode', message: '3' }] },
    };
    upstream.ws.send(Buffer.concat([Buffer.from([3]), Buffer.from(JSON.stringify(exit))]));
    upstream.ws.close(1000);
    expect(await closed).toBe(1000);
    await waitUntil(() => readFileSync(file, 'utf8').split('\n').filter(Boolean).length === 2, 'two audit lines');

    expect(statSync(file).mode & 0o777).toBe(0o600);
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain(FAKE_TOKEN);
    expect(text).not.toContain('secret');
    expect(text).not.toContain(cookie.split('=')[1]!);
    const [opened, done] = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as ShellAuditRecord);
    expect(opened).toMatchObject({
      event: 'shell.opened',
      cluster: 'fake',
      namespace: 'default',
      pod: 'shell',
      container: 'main',
      subresource: 'exec',
      command: ['sh', '-c', 'echo --token=[redacted]'],
      tty: false,
      stdin: false,
      protocol: 'v5.channel.k8s.io',
      client: { address: '127.0.0.1', userAgent: 'audit-test/1' },
    });
    expect(opened!.who.subject).not.toBe('');
    expect(done).toMatchObject({
      event: 'shell.closed',
      shell: opened!.shell,
      start: opened!.start,
      bytes: { browserToCluster: 0, clusterToBrowser: 7 + 1 + JSON.stringify(exit).length },
      ended: { clusterClose: { code: 1000, reason: '' }, exitCode: 3 },
    });
    expect(Date.parse(done!.end!)).toBeGreaterThanOrEqual(Date.parse(done!.start));
  });
});
