// What upstream's kube-apiserver really answers on pods/exec, byte for byte: the 101 head, the frames per channel,
// the channel-3 status and the close code — compared with the expectations in the project's exec-protocol notes
// (§1.6, §2.6, §9 G1–G3, G10). Where the real apiserver differs, the row says so with `kubernetes:`, the test
// pins Kubernetes' answer, and the difference is printed and written to test-results/cluster-exec-protocol.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { goAvailable, HARNESS_START_TIMEOUT_MS, reportSkipped, useHarness, type Harness } from './harness.ts';
import { byChannel, captureExec, header, type Capture, type Sender } from './raw-websocket.ts';

reportSkipped('e2e/cluster/exec-protocol.test.ts (exec protocol as answered by a real kube-apiserver)');

type Channels = Array<[number | undefined, string]>;

interface Row {
  name: string;
  protocols: string[];
  query: string;
  pod?: string;
  onOpen?: (send: Sender) => void;
  /** Expected by the notes. */
  spec: { protocol: string; channels: Channels; close: number };
  /** What Kubernetes really does, where it differs from `spec`. */
  kubernetes?: Partial<Row['spec']>;
}

const q = (pairs: Array<[string, string]>) => new URLSearchParams(pairs).toString();
const exit3 = q([
  ['command', 'sh'],
  ['command', '-c'],
  ['command', 'echo oops >&2; exit 3'],
  ['container', 'app'],
  ['stdout', 'true'],
  ['stderr', 'true'],
]);
const success = '{"metadata":{},"status":"Success"}';
/** JSON string as Go's encoding/json writes it: <, > and & escaped (exec-protocol notes §2.6). */
const goJSON = (text: string) =>
  JSON.stringify(text).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
const nonZero = (message: string) =>
  `{"metadata":{},"status":"Failure","message":${goJSON(message)},"reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"3"}]}}`;

// What our fake kubelet answers for a missing executable (containerd+runc's wording, shortened); the prefixes
// around it are the apiserver's.
const kubeletMissingExecutable =
  'failed to exec in container: failed to start exec: OCI runtime exec failed: exec failed: unable to start container process: exec: "no-such-command": executable file not found in $PATH';
const internalError = (wraps: number, message: string) => {
  const inner = `Internal error occurred: error executing command in container: ${message}`;
  const outer = 'Internal error occurred: '.repeat(wraps - 1) + inner;
  return `{"metadata":{},"status":"Failure","message":${goJSON(outer)},"reason":"InternalError","details":{"causes":[{"message":${goJSON(inner)}}]},"code":500}`;
};

const rows: Row[] = [
  {
    name: 'G1 v5 success: echo hello',
    protocols: ['v5.channel.k8s.io', 'v4.channel.k8s.io'],
    query: q([
      ['command', 'echo'],
      ['command', 'hello'],
      ['container', 'app'],
      ['stdout', 'true'],
      ['stderr', 'true'],
    ]),
    spec: {
      protocol: 'v5.channel.k8s.io',
      channels: [
        [1, ''],
        [1, 'hello\n'],
        [3, success],
      ],
      close: 1000,
    },
  },
  {
    name: 'G2 v5 non-zero exit with stderr (apiserver translates to SPDY)',
    protocols: ['v5.channel.k8s.io', 'v4.channel.k8s.io'],
    query: exit3,
    spec: {
      protocol: 'v5.channel.k8s.io',
      channels: [
        [1, ''],
        [2, 'oops\n'],
        [3, nonZero('command terminated with non-zero exit code: command terminated with exit code 3')],
      ],
      close: 1000,
    },
  },
  {
    name: 'G10 v4 non-zero exit (passed through to the kubelet)',
    protocols: ['v4.channel.k8s.io'],
    query: exit3,
    spec: {
      protocol: 'v4.channel.k8s.io',
      channels: [
        [1, ''],
        [2, 'oops\n'],
        [
          3,
          nonZero(
            'command terminated with non-zero exit code: error executing command [sh -c echo oops >&2; exit 3], exit code 3',
          ),
        ],
      ],
      close: 1000,
    },
  },
  {
    name: 'G3 v5 stdin then CLOSE of stream 0: cat ends',
    protocols: ['v5.channel.k8s.io', 'v4.channel.k8s.io'],
    query: q([
      ['command', 'cat'],
      ['container', 'app'],
      ['stdin', 'true'],
      ['stdout', 'true'],
      ['stderr', 'true'],
    ]),
    onOpen(send) {
      send.channel(0, 'hi\nthere\n');
      send.channel(255, new Uint8Array([0]));
    },
    spec: {
      protocol: 'v5.channel.k8s.io',
      channels: [
        [1, ''],
        [1, 'hi\nthere\n'],
        [3, success],
      ],
      close: 1000,
    },
  },
  {
    name: 'v4 only offered: success (the legacy path, passed through to the kubelet)',
    protocols: ['v4.channel.k8s.io'],
    query: q([
      ['command', 'echo'],
      ['command', 'hello'],
      ['container', 'app'],
      ['stdout', 'true'],
      ['stderr', 'true'],
    ]),
    spec: {
      protocol: 'v4.channel.k8s.io',
      channels: [
        [1, ''],
        [1, 'hello\n'],
        [3, success],
      ],
      close: 1000,
    },
  },
  {
    name: 'G4 v5 TTY: a resize on channel 4 reaches the PTY',
    protocols: ['v5.channel.k8s.io', 'v4.channel.k8s.io'],
    query: q([
      ['command', 'sh'],
      ['command', '-c'],
      ['command', 'sleep 0.5; stty size'],
      ['container', 'app'],
      ['stdin', 'true'],
      ['stdout', 'true'],
      ['tty', 'true'],
    ]),
    onOpen(send) {
      send.channel(4, '{"Width":100,"Height":30}\n');
    },
    spec: {
      protocol: 'v5.channel.k8s.io',
      channels: [
        [1, ''],
        [1, '30 100\r\n'],
        [3, success],
      ],
      close: 1000,
    },
  },
  {
    name: 'v5 exec of a missing executable: InternalError, message wrapped twice',
    protocols: ['v5.channel.k8s.io', 'v4.channel.k8s.io'],
    query: q([
      ['command', 'no-such-command'],
      ['container', 'app'],
      ['stdout', 'true'],
      ['stderr', 'true'],
    ]),
    spec: {
      protocol: 'v5.channel.k8s.io',
      channels: [
        [1, ''],
        [3, internalError(2, kubeletMissingExecutable)],
      ],
      close: 1000,
    },
  },
];

interface RefusedRow {
  name: string;
  path: string;
  /** Status line and the Status body (kind/apiVersion included) the real apiserver answers before any upgrade. */
  status: string;
  body: Record<string, unknown>;
}

const refused: RefusedRow[] = [
  {
    name: 'unknown pod',
    path: '/api/v1/namespaces/default/pods/nope/exec?command=true&stdout=true',
    status: 'HTTP/1.1 404 Not Found',
    body: {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'pods "nope" not found',
      reason: 'NotFound',
      details: { name: 'nope', kind: 'pods' },
      code: 404,
    },
  },
  {
    name: 'unknown container',
    path: '/api/v1/namespaces/default/pods/multi/exec?command=true&container=nope&stdout=true',
    status: 'HTTP/1.1 400 Bad Request',
    body: {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'container nope is not valid for pod multi',
      reason: 'BadRequest',
      code: 400,
    },
  },
  {
    // kubectl picks the default container from the kubectl.kubernetes.io/default-container annotation itself;
    // the apiserver does not, and lists init containers too.
    name: 'no container named on a pod with several',
    path: '/api/v1/namespaces/default/pods/multi/exec?command=true&stdout=true',
    status: 'HTTP/1.1 400 Bad Request',
    body: {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'a container name must be specified for pod multi, choose one of: [init app sidecar]',
      reason: 'BadRequest',
      code: 400,
    },
  },
];

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

  it.each(refused)('refused before the upgrade: $name', async (row) => {
    const capture = await captureExec(harness.ready, row.path, ['v5.channel.k8s.io', 'v4.channel.k8s.io']);
    record.push({ name: `refused: ${row.name}`, path: row.path, head: capture.head, body: capture.frames[0]?.text });
    expect(capture.head[0]).toBe(row.status);
    expect(header(capture, 'content-type')).toBe('application/json');
    // Compact JSON in Go's field order, one trailing newline (curl's user agent would get it indented).
    expect(capture.frames[0]?.text).toBe(JSON.stringify(row.body) + '\n');
  });
});
