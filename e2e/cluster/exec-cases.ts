// The exec/attach cases both clusters are measured by: what the project's exec-protocol notes expect (§1.6,
// §1.7, §2.6, §9), and where the real kube-apiserver differs, what it really answers.
import type { Sender } from './raw-websocket.ts';

export type Channels = Array<[number | undefined, string]>;

export interface Row {
  name: string;
  protocols: string[];
  query: string;
  pod?: string;
  onOpen?: (send: Sender) => void;
  /** Expected by the notes. */
  spec: { protocol: string; channels: Channels; close: number };
  /** The status text comes from the container runtime (here: the fake kubelet imitating containerd). */
  runtimeSpecific?: boolean;
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
export const goJSON = (text: string) =>
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

export const rows: Row[] = [
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
    runtimeSpecific: true,
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
    runtimeSpecific: true,
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

export interface RefusedRow {
  name: string;
  path: string;
  /** Status line and the Status body (kind/apiVersion included) the real apiserver answers before any upgrade. */
  status: string;
  body: Record<string, unknown>;
}

export const refused: RefusedRow[] = [
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
