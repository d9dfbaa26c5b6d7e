// What upstream's kube-apiserver really answers on pods/exec, byte for byte: the 101 head, the frames per channel,
// the channel-3 status and the close code — compared with the expectations in the project's exec-protocol notes
// (§1.6, §2.6, §9 G1–G3, G10). Where the real apiserver differs, the row says so with `kubernetes:`, the test
// pins Kubernetes' answer, and the difference is printed and written to test-results/cluster-exec-protocol.json.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  goAvailable,
  HARNESS_START_TIMEOUT_MS,
  mintToken,
  reportSkipped,
  useHarness,
  type Harness,
} from './harness.ts';
import { kubectl, waitUntilAllowed } from './kubectl.ts';
import { byChannel, captureExec, header, type Capture } from './raw-websocket.ts';
import { refused, rows } from './exec-cases.ts';

reportSkipped('e2e/cluster/exec-protocol.test.ts (exec protocol as answered by a real kube-apiserver)');

describe.runIf(goAvailable)('exec protocol as answered by the real kube-apiserver', () => {
  let harness: Harness;
  const record: Array<Record<string, unknown>> = [];

  beforeAll(async () => {
    harness = await useHarness();
  }, HARNESS_START_TIMEOUT_MS);

  afterAll(async () => {
    mkdirSync('test-results', { recursive: true });
    writeFileSync(
      'test-results/cluster-exec-protocol.json',
      JSON.stringify({ k8sVersion: harness?.ready.k8sVersion, rows: record }, null, 2),
    );
    await harness?.release();
  }, 60_000);

  it.each(rows)('$name', async (row) => {
    const path = `/api/v1/namespaces/default/pods/${row.pod ?? 'multi'}/exec?${row.query}`;
    const capture: Capture = await captureExec(harness.ready, path, row.protocols, row.onOpen);
    const expected = { ...row.spec, ...row.kubernetes };
    record.push({
      name: row.name,
      path,
      offered: row.protocols,
      head: capture.head,
      frames: capture.frames,
      closeCode: capture.closeCode,
      differsFromSpec: row.kubernetes ?? null,
    });
    if (row.kubernetes)
      console.log(`${row.name}: the real apiserver differs from the notes:`, row.kubernetes, 'notes said:', row.spec);

    // §1.6: exactly these header lines, in this order, nothing else.
    expect(capture.head).toEqual([
      'HTTP/1.1 101 Switching Protocols',
      'Upgrade: websocket',
      'Connection: Upgrade',
      `Sec-WebSocket-Accept: ${capture.expectedAccept}`,
      `Sec-WebSocket-Protocol: ${expected.protocol}`,
    ]);
    expect(capture.frames.every((f) => f.opcode === 2)).toBe(true);
    expect(byChannel(capture.frames)).toEqual(expected.channels);
    expect(capture.closeCode).toBe(expected.close);
  });

  it('G5 v5 attach (output only) to the ticker: its new lines as they come; a client close is answered with 1000', async () => {
    const path = '/api/v1/namespaces/default/pods/ticker/attach?container=main&stdout=true';
    const capture = await captureExec(harness.ready, path, ['v5.channel.k8s.io', 'v4.channel.k8s.io'], (send) => {
      setTimeout(() => send.close(1000), 2500);
    });
    record.push({ name: 'G5 attach', path, head: capture.head, frames: capture.frames, closeCode: capture.closeCode });
    expect(capture.head[4]).toBe('Sec-WebSocket-Protocol: v5.channel.k8s.io');
    expect(capture.frames[0]).toEqual({ opcode: 2, channel: 1, text: '' });
    const output = capture.frames.slice(1);
    expect(output.every((f) => f.channel === 1)).toBe(true);
    // The container has a TTY: the terminal turns \n into \r\n.
    const ticks = [
      ...output
        .map((f) => f.text)
        .join('')
        .matchAll(/tick (\d+)\r\n/g),
    ].map((m) => Number(m[1]));
    expect(ticks.length).toBeGreaterThanOrEqual(2);
    expect(ticks).toEqual(ticks.map((_, i) => ticks[0]! + i));
    // No status on channel 3: the process did not end, the client left.
    expect(capture.closeCode).toBe(1000);
  });

  describe('the bearer token as a WebSocket subprotocol (what a browser sends)', () => {
    const bearer = (token: string) =>
      `base64url.bearer.authorization.k8s.io.${Buffer.from(token).toString('base64url')}`;
    const path = '/api/v1/namespaces/default/pods/multi/exec?command=echo&command=hello&container=app&stdout=true';
    let token = '';

    beforeAll(async () => {
      // oidc:browser-user may get pods/exec (the WebSocket verb) and nothing else.
      const objects = {
        apiVersion: 'v1',
        kind: 'List',
        items: [
          {
            apiVersion: 'rbac.authorization.k8s.io/v1',
            kind: 'Role',
            metadata: { name: 'browser-user', namespace: 'default' },
            rules: [{ apiGroups: [''], resources: ['pods/exec'], verbs: ['get'] }],
          },
          {
            apiVersion: 'rbac.authorization.k8s.io/v1',
            kind: 'RoleBinding',
            metadata: { name: 'browser-user', namespace: 'default' },
            roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'browser-user' },
            subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'oidc:browser-user' }],
          },
        ],
      };
      const applied = await kubectl('1.33', harness.ready.kubeconfig, ['apply', '-f', '-'], {
        input: JSON.stringify(objects),
      });
      expect(applied.code).toBe(0);
      await waitUntilAllowed(harness.ready.kubeconfig, 'oidc:browser-user', 'get', 'exec');
      token = await mintToken(harness.ready, { sub: 'browser-user' });
    });

    it('a JWT in the subprotocol authenticates; the 101 names only the channel protocol', async () => {
      const target = { server: harness.ready.server, ca: readFileSync(harness.ready.caFile) };
      const capture = await captureExec(target, path, ['v5.channel.k8s.io', 'v4.channel.k8s.io', bearer(token)]);
      record.push({ name: 'bearer subprotocol', path, head: capture.head, frames: capture.frames });
      expect(capture.head[0]).toBe('HTTP/1.1 101 Switching Protocols');
      expect(capture.head[4]).toBe('Sec-WebSocket-Protocol: v5.channel.k8s.io');
      expect(byChannel(capture.frames)).toEqual([
        [1, ''],
        [1, 'hello\n'],
        [3, '{"metadata":{},"status":"Success"}'],
      ]);
    });

    it('an invalid token in the subprotocol: 401 before any upgrade', async () => {
      const target = { server: harness.ready.server, ca: readFileSync(harness.ready.caFile) };
      const capture = await captureExec(target, path, ['v5.channel.k8s.io', bearer('not-a-token')]);
      record.push({ name: 'bearer subprotocol, bad token', path, head: capture.head, body: capture.frames[0]?.text });
      expect(capture.head[0]).toBe('HTTP/1.1 401 Unauthorized');
      expect(capture.frames[0]?.text).toBe(
        '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}\n',
      );
    });
  });

  it.each(refused)('refused before the upgrade: $name', async (row) => {
    const capture = await captureExec(harness.ready, row.path, ['v5.channel.k8s.io', 'v4.channel.k8s.io']);
    record.push({ name: `refused: ${row.name}`, path: row.path, head: capture.head, body: capture.frames[0]?.text });
    expect(capture.head[0]).toBe(row.status);
    expect(header(capture, 'content-type')).toBe('application/json');
    // Compact JSON in Go's field order, one trailing newline (curl's user agent would get it indented).
    expect(capture.frames[0]?.text).toBe(JSON.stringify(row.body) + '\n');
  });
});
