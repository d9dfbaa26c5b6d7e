// The two debugging requests, built as kubectl debug builds them, and how to read their progress from the pod:
// - an ephemeral container (kubectl debug POD -it --image=IMAGE [--target=C]): a strategic-merge patch of the
//   pod's `ephemeralcontainers` subresource adding one container named debugger-xxxxx;
// - a root-safe debug pod: `hostUsers: false` (KEP-127: root in the pod is an unprivileged user on the node),
//   optionally with another pod's volumes and env, as `kubectl debug --copy-to` copies them.
// No DOM, no Node: the browser and the tests share it.

export interface ContainerJson {
  name: string;
  image?: string;
  env?: unknown[];
  envFrom?: unknown[];
  volumeMounts?: unknown[];
  [key: string]: unknown;
}

export interface PodJson {
  metadata: { name: string; namespace?: string; uid?: string };
  spec?: { containers?: ContainerJson[]; ephemeralContainers?: ContainerJson[]; volumes?: unknown[] };
  status?: {
    phase?: string;
    containerStatuses?: ContainerStatusJson[];
    ephemeralContainerStatuses?: ContainerStatusJson[];
  };
}

export interface ContainerStatusJson {
  name: string;
  state?: {
    waiting?: { reason?: string; message?: string };
    running?: { startedAt?: string };
    terminated?: { exitCode?: number; reason?: string; message?: string };
  };
}

export const DEFAULT_DEBUG_IMAGE = 'busybox';
export const DEBUG_POD_LABEL = 'porthole.dev/debug-pod';
export const STRATEGIC_MERGE_PATCH = 'application/strategic-merge-patch+json';

// utilrand.String's alphabet (k8s.io/apimachinery/pkg/util/rand): no vowels, no 0/1/3 that read as words.
const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

export function randomSuffix(random: () => number = Math.random, length = 5): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[Math.floor(random() * ALPHABET.length)];
  return out;
}

/** A name kubectl would pick: `debugger-xxxxx`, not colliding with any container of the pod. */
export function debuggerName(pod: PodJson, random: () => number = Math.random): string {
  const taken = new Set([...(pod.spec?.containers ?? []), ...(pod.spec?.ephemeralContainers ?? [])].map((c) => c.name));
  for (;;) {
    const name = `debugger-${randomSuffix(random)}`;
    if (!taken.has(name)) return name;
  }
}

export interface EphemeralRequest {
  name: string;
  image: string;
  /** targetContainerName: share this container's process namespace (and see its processes). */
  target?: string;
}

/** The container kubectl debug -it adds: stdin, tty, FallbackToLogsOnError unset, the file termination message. */
export function ephemeralContainer(request: EphemeralRequest): ContainerJson {
  return {
    name: request.name,
    image: request.image,
    resources: {},
    stdin: true,
    terminationMessagePolicy: 'File',
    tty: true,
    ...(request.target ? { targetContainerName: request.target } : {}),
  };
}

/**
 * The strategic-merge patch of pods/<pod>/ephemeralcontainers: what CreateTwoWayMergePatch gives for the pod and
 * the pod with one more ephemeral container — the new entry, and `$setElementOrder` when there were others.
 */
export function ephemeralContainerPatch(pod: PodJson, container: ContainerJson): Record<string, unknown> {
  const existing = pod.spec?.ephemeralContainers ?? [];
  return {
    spec: {
      ...(existing.length > 0
        ? { '$setElementOrder/ephemeralContainers': [...existing, container].map((c) => ({ name: c.name })) }
        : {}),
      ephemeralContainers: [container],
    },
  };
}

export interface DebugPodRequest {
  namespace: string;
  image: string;
  /** Copy this pod's volumes, and the env and volume mounts of its container `copyContainer`. */
  copyFrom?: { pod: PodJson; container: string };
}

/** A pod in which root is safe: hostUsers false, root inside, stdin and a TTY for the shell, never restarted. */
export function debugPod(request: DebugPodRequest): Record<string, unknown> {
  const source = request.copyFrom?.pod.spec?.containers?.find((c) => c.name === request.copyFrom?.container);
  const copied = source
    ? {
        ...(source.env ? { env: source.env } : {}),
        ...(source.envFrom ? { envFrom: source.envFrom } : {}),
        ...(source.volumeMounts ? { volumeMounts: source.volumeMounts } : {}),
      }
    : {};
  const volumes = request.copyFrom?.pod.spec?.volumes;
  return {
    kind: 'Pod',
    apiVersion: 'v1',
    metadata: {
      generateName: 'porthole-debug-',
      namespace: request.namespace,
      labels: { [DEBUG_POD_LABEL]: 'true' },
      ...(request.copyFrom ? { annotations: { 'porthole.dev/copied-from': request.copyFrom.pod.metadata.name } } : {}),
    },
    spec: {
      hostUsers: false,
      restartPolicy: 'Never',
      ...(volumes && source ? { volumes } : {}),
      containers: [
        {
          name: 'debug',
          image: request.image,
          command: ['sh'],
          stdin: true,
          tty: true,
          securityContext: { runAsUser: 0, runAsGroup: 0 },
          ...copied,
        },
      ],
    },
  };
}

export type Progress =
  { state: 'waiting'; detail: string } | { state: 'running' } | { state: 'failed'; detail: string };

/** Reasons a container waits for that it will not get over by itself. */
const STUCK = new Set([
  'ErrImagePull',
  'ImagePullBackOff',
  'InvalidImageName',
  'CreateContainerError',
  'RunContainerError',
  'CreateContainerConfigError',
]);

/** Where one container of the pod is: its status entry read the way a person would want it told. */
export function containerProgress(pod: PodJson, name: string, ephemeral: boolean): Progress {
  const list = ephemeral ? pod.status?.ephemeralContainerStatuses : pod.status?.containerStatuses;
  const status = list?.find((s) => s.name === name);
  if (!status?.state) return { state: 'waiting', detail: 'waiting for the kubelet to report the container' };
  const { waiting, running, terminated } = status.state;
  if (running) return { state: 'running' };
  if (terminated) {
    const why = [terminated.reason, terminated.message].filter(Boolean).join(': ');
    return {
      state: 'failed',
      detail: `the container exited (code ${terminated.exitCode ?? '?'})${why ? `: ${why}` : ''}`,
    };
  }
  const reason = waiting?.reason ?? 'Waiting';
  const detail = waiting?.message ? `${reason}: ${waiting.message}` : reason;
  return STUCK.has(reason) ? { state: 'failed', detail } : { state: 'waiting', detail };
}

/** A person's explanation of a refused debugging write, from the API's own Status (kept verbatim). */
export function refusalHint(status: number, message: string): string {
  if (status === 403 && /forbidden/i.test(message)) return `${message} (your RBAC role does not allow this)`;
  if (status === 404 && /ephemeralcontainers/i.test(message))
    return `${message} (ephemeral containers are not served by this cluster)`;
  if (/hostUsers|user namespace/i.test(message))
    return `${message} (the cluster refused a user-namespaced pod: it needs the UserNamespacesSupport feature, Linux ≥ 6.3 on the node and a runtime that supports idmap mounts)`;
  return message;
}
