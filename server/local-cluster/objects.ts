// Pods and namespaces as the API returns them (core/v1 JSON), built from the pods config and the runtime state.
import type { ContainerConfig } from './pods-config.ts';
import type { ContainerRuntime, PodRuntime } from './pod-runtime.ts';

export const NODE_NAME = 'porthole-local';
const POD_IP = '127.0.0.1';

const timestamp = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

export interface NamespaceRecord {
  name: string;
  uid: string;
  createdAt: Date;
  resourceVersion: number;
}

export function namespaceObject(ns: NamespaceRecord): Record<string, unknown> {
  return {
    kind: 'Namespace',
    apiVersion: 'v1',
    metadata: {
      name: ns.name,
      uid: ns.uid,
      resourceVersion: String(ns.resourceVersion),
      creationTimestamp: timestamp(ns.createdAt),
      labels: { 'kubernetes.io/metadata.name': ns.name },
    },
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  };
}

function containerSpec(c: ContainerConfig): Record<string, unknown> {
  return {
    name: c.name,
    image: c.image,
    ...(c.imageDefaultCommand ? {} : { command: c.command }),
    ...(c.env.length > 0 ? { env: c.env } : {}),
    resources: {},
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
    // The API server's default: Always for an untagged or :latest image, IfNotPresent otherwise.
    imagePullPolicy: /:[^/]+$/.test(c.image) && !c.image.endsWith(':latest') ? 'IfNotPresent' : 'Always',
    ...(c.stdin ? { stdin: true } : {}),
    ...(c.tty ? { tty: true } : {}),
    ...(c.targetContainerName ? { targetContainerName: c.targetContainerName } : {}),
  };
}

function containerStatus(c: ContainerRuntime): Record<string, unknown> {
  const s = c.state;
  const state =
    s.state === 'running'
      ? { running: { startedAt: timestamp(s.startedAt) } }
      : s.state === 'waiting'
        ? { waiting: { reason: s.reason } }
        : {
            terminated: {
              exitCode: s.exitCode,
              reason: s.reason,
              startedAt: timestamp(s.startedAt),
              finishedAt: timestamp(s.finishedAt),
              containerID: `porthole://${c.id}`,
            },
          };
  const running = s.state === 'running';
  return {
    name: c.config.name,
    state,
    lastState: {},
    ready: c.kind === 'init' ? s.state === 'terminated' && s.exitCode === 0 : running,
    restartCount: c.restartCount,
    image: c.config.image,
    imageID: '',
    containerID: `porthole://${c.id}`,
    started: running,
  };
}

export function podPhase(pod: PodRuntime): 'Pending' | 'Running' {
  const main = pod.containers.filter((c) => c.kind === 'regular');
  return main.some((c) => c.state.state !== 'waiting' || c.restartCount > 0) ? 'Running' : 'Pending';
}

export function podObject(pod: PodRuntime, confined: boolean): Record<string, unknown> {
  const { config } = pod;
  const of = (kind: ContainerRuntime['kind']) => pod.containers.filter((c) => c.kind === kind);
  const created = timestamp(pod.createdAt);
  const regular = of('regular');
  const ready = regular.every((c) => c.state.state === 'running');
  const initDone = of('init').every((c) => c.state.state === 'terminated' && c.state.exitCode === 0);
  const condition = (type: string, status: boolean) => ({
    type,
    status: status ? 'True' : 'False',
    lastProbeTime: null,
    lastTransitionTime: created,
  });
  return {
    kind: 'Pod',
    apiVersion: 'v1',
    metadata: {
      name: config.name,
      namespace: config.namespace,
      uid: pod.uid,
      resourceVersion: String(pod.resourceVersion),
      creationTimestamp: created,
      ...(Object.keys(config.labels).length > 0 ? { labels: config.labels } : {}),
      ...(Object.keys(config.annotations).length > 0 ? { annotations: config.annotations } : {}),
    },
    spec: {
      ...(of('init').length > 0 ? { initContainers: of('init').map((c) => containerSpec(c.config)) } : {}),
      containers: regular.map((c) => containerSpec(c.config)),
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      serviceAccountName: 'default',
      serviceAccount: 'default',
      nodeName: NODE_NAME,
      securityContext: {},
      schedulerName: 'default-scheduler',
      priority: 0,
      enableServiceLinks: true,
      preemptionPolicy: 'PreemptLowerPriority',
      ...(config.hostUsers !== undefined ? { hostUsers: config.hostUsers } : confined ? { hostUsers: false } : {}),
      ...(of('ephemeral').length > 0
        ? { ephemeralContainers: of('ephemeral').map((c) => containerSpec(c.config)) }
        : {}),
    },
    status: {
      phase: podPhase(pod),
      conditions: [
        condition('PodReadyToStartContainers', true),
        condition('Initialized', initDone),
        condition('Ready', ready),
        condition('ContainersReady', ready),
        condition('PodScheduled', true),
      ],
      hostIP: POD_IP,
      hostIPs: [{ ip: POD_IP }],
      podIP: POD_IP,
      podIPs: [{ ip: POD_IP }],
      startTime: created,
      ...(of('init').length > 0 ? { initContainerStatuses: of('init').map(containerStatus) } : {}),
      containerStatuses: regular.map(containerStatus),
      qosClass: 'BestEffort',
      ...(of('ephemeral').length > 0 ? { ephemeralContainerStatuses: of('ephemeral').map(containerStatus) } : {}),
    },
  };
}
