// meta.k8s.io/v1 Table output, which `kubectl get` asks for (Accept: application/json;as=Table;v=v1;g=meta.k8s.io):
// the apiserver renders the columns — including Age — and kubectl prints them as given.
import type { PodRuntime } from './pod-runtime.ts';
import type { NamespaceRecord } from './objects.ts';
import { NODE_NAME } from './objects.ts';

/** apimachinery's duration.HumanDuration, which the apiserver's printers use for Age. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) return hours % 24 === 0 ? `${hours / 24}d` : `${Math.floor(hours / 24)}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  const days = Math.floor(hours / 24);
  if (hours < 24 * 365 * 8) return days % 365 === 0 ? `${days / 365}y` : `${Math.floor(days / 365)}y${days % 365}d`;
  return `${Math.floor(days / 365)}y`;
}

interface Column {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

const column = (name: string, description: string, priority = 0, format = '', type = 'string'): Column => ({
  name,
  type,
  format,
  description,
  priority,
});

const NAME_DESCRIPTION =
  'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names';
const AGE_DESCRIPTION =
  'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata';

const POD_COLUMNS: Column[] = [
  column('Name', NAME_DESCRIPTION, 0, 'name'),
  column('Ready', 'The aggregate readiness state of this pod for accepting traffic.'),
  column('Status', 'The aggregate status of the containers in this pod.'),
  column(
    'Restarts',
    'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.',
    0,
    '',
    'string',
  ),
  column('Age', AGE_DESCRIPTION),
  column(
    'IP',
    'podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.',
    1,
  ),
  column(
    'Node',
    'NodeName indicates in which node this pod is scheduled. If empty, this pod is a candidate for scheduling by the scheduler defined in schedulerName. Once this field is set, the kubelet for this node becomes responsible for the lifecycle of this pod. This field should not be used to express a desire for the pod to be scheduled on a specific node. https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#nodename',
    1,
  ),
  column(
    'Nominated Node',
    'nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods. This field does not guarantee that the pod will be scheduled on this node. Scheduler may decide to place the pod elsewhere if other nodes become available sooner. Scheduler may also decide to give the resources on this node to a higher priority pod that is created after preemption. As a result, this field may be different than PodSpec.nodeName when the pod is scheduled.',
    1,
  ),
  column(
    'Readiness Gates',
    'If specified, all readiness gates will be evaluated for pod readiness. A pod is ready when all its containers are ready AND all conditions specified in the readiness gates have status equal to "True" More info: https://git.k8s.io/enhancements/keps/sig-network/580-pod-readiness-gates',
    1,
  ),
];

const NAMESPACE_COLUMNS: Column[] = [
  column('Name', NAME_DESCRIPTION, 0, 'name'),
  column('Status', 'The status of the namespace'),
  column('Age', AGE_DESCRIPTION),
];

export type RowObject = 'None' | 'Metadata' | 'Object';

function table(
  columns: Column[],
  resourceVersion: number,
  rows: Array<{ cells: unknown[]; object: Record<string, unknown> }>,
  includeObject: RowObject,
) {
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion: String(resourceVersion) },
    columnDefinitions: columns,
    rows: rows.map((row) => ({
      cells: row.cells,
      object:
        includeObject === 'None'
          ? null
          : includeObject === 'Object'
            ? row.object
            : { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: row.object.metadata },
    })),
  };
}

function podStatusText(pod: PodRuntime): string {
  const init = pod.containers.filter((c) => c.kind === 'init');
  const doneInit = init.filter((c) => c.state.state === 'terminated' && c.state.exitCode === 0).length;
  if (doneInit < init.length) {
    const failed = init.find((c) => c.state.state === 'terminated' && c.state.exitCode !== 0);
    return failed ? 'Init:Error' : `Init:${doneInit}/${init.length}`;
  }
  for (const c of pod.containers.filter((c) => c.kind === 'regular')) {
    if (c.state.state === 'waiting') return c.state.reason;
    if (c.state.state === 'terminated') return c.state.reason;
  }
  return 'Running';
}

export function podTable(
  pods: Array<{ runtime: PodRuntime; object: Record<string, unknown> }>,
  resourceVersion: number,
  includeObject: RowObject,
  now = Date.now(),
) {
  return table(
    POD_COLUMNS,
    resourceVersion,
    pods.map(({ runtime, object }) => {
      const regular = runtime.containers.filter((c) => c.kind === 'regular');
      const ready = regular.filter((c) => c.state.state === 'running').length;
      const restarts = regular.reduce((sum, c) => sum + c.restartCount, 0);
      return {
        cells: [
          runtime.config.name,
          `${ready}/${regular.length}`,
          podStatusText(runtime),
          String(restarts),
          humanDuration(now - runtime.createdAt.getTime()),
          '127.0.0.1',
          NODE_NAME,
          '<none>',
          '<none>',
        ],
        object,
      };
    }),
    includeObject,
  );
}

export function namespaceTable(
  namespaces: Array<{ record: NamespaceRecord; object: Record<string, unknown> }>,
  resourceVersion: number,
  includeObject: RowObject,
  now = Date.now(),
) {
  return table(
    NAMESPACE_COLUMNS,
    resourceVersion,
    namespaces.map(({ record, object }) => ({
      cells: [record.name, 'Active', humanDuration(now - record.createdAt.getTime())],
      object,
    })),
    includeObject,
  );
}
