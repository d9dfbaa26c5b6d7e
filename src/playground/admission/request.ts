// The request attributes of the admission page: what the user wrote in the request editor (operation, userInfo,
// and optionally kind, resource, namespace, name…), completed from the object the way kube-apiserver's handlers
// fill them for `kubectl create -f`: kind from the object's apiVersion/kind, the resource from the kind, the
// namespace from the object or the default namespace, the name from metadata.

import type { Json } from '../../policy/admission/jsonpatch.ts';
import type { RequestAttributes } from '../../policy/admission/types.ts';

type Doc = Record<string, unknown>;
const isMap = (v: unknown): v is Doc => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Kinds whose resource the rule below gets wrong. */
const IRREGULAR: Record<string, string> = { Endpoints: 'endpoints', PodMetrics: 'pods', NodeMetrics: 'nodes' };

/** Kinds whose resource is the guess below, said without a note (the rest are guesses the user may correct). */
const WELL_KNOWN = new Set([
  'Pod',
  'Deployment',
  'ReplicaSet',
  'StatefulSet',
  'DaemonSet',
  'Job',
  'CronJob',
  'Service',
  'ConfigMap',
  'Secret',
  'ServiceAccount',
  'Namespace',
  'Node',
  'PersistentVolume',
  'PersistentVolumeClaim',
  'Ingress',
  'NetworkPolicy',
  'Role',
  'RoleBinding',
  'ClusterRole',
  'ClusterRoleBinding',
  'Endpoints',
  'EndpointSlice',
  'Event',
  'LimitRange',
  'ResourceQuota',
  'HorizontalPodAutoscaler',
  'PodDisruptionBudget',
  'StorageClass',
  'PriorityClass',
  'Lease',
]);

/** Built-in kinds that are cluster-scoped (the rest, and unknown kinds, are taken as namespaced). */
const CLUSTER_SCOPED = new Set([
  'Namespace',
  'Node',
  'PersistentVolume',
  'ClusterRole',
  'ClusterRoleBinding',
  'StorageClass',
  'CSIDriver',
  'CSINode',
  'VolumeAttachment',
  'PriorityClass',
  'RuntimeClass',
  'IngressClass',
  'CustomResourceDefinition',
  'APIService',
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
  'MutatingAdmissionPolicy',
  'MutatingAdmissionPolicyBinding',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
  'CertificateSigningRequest',
  'FlowSchema',
  'PriorityLevelConfiguration',
]);

/**
 * A kind's resource as apimachinery guesses it (meta.UnsafeGuessKindToResource: lowercase, s→ses, y→ies, else +s),
 * except that a vowel before the y keeps it (Gateway → gateways, where the guess would say gatewaies).
 */
export function guessResource(kind: string): string {
  const irregular = IRREGULAR[kind];
  if (irregular) return irregular;
  const lower = kind.toLowerCase();
  if (lower.endsWith('s')) return `${lower}es`;
  if (lower.endsWith('y') && !/[aeiou]y$/.test(lower)) return `${lower.slice(0, -1)}ies`;
  return `${lower}s`;
}

export const DEFAULT_NAMESPACE = 'default';

export interface DerivedRequest {
  request: RequestAttributes;
  /** The object as admission sees it: metadata.namespace filled from the request, as the create handler does. */
  object: Json;
  /** What was filled in, in a sentence each (shown beside the result). */
  assumed: string[];
}

const OPERATIONS = ['CREATE', 'UPDATE', 'DELETE', 'CONNECT'] as const;

/** The request, or a message naming the field of the request editor that cannot be used. */
export function deriveRequest(
  given: Doc,
  object: Json,
  oldObject: Json,
): { ok: true; derived: DerivedRequest } | { ok: false; field: string; message: string } {
  const assumed: string[] = [];
  const operation = given.operation ?? 'CREATE';
  if (given.operation === undefined) assumed.push('operation CREATE');
  if (typeof operation !== 'string' || !(OPERATIONS as readonly string[]).includes(operation))
    return { ok: false, field: 'operation', message: `operation must be one of ${OPERATIONS.join(', ')}` };
  const subject = isMap(object) ? object : isMap(oldObject) ? oldObject : undefined;
  if (!subject && operation !== 'CONNECT')
    return {
      ok: false,
      field: 'operation',
      message:
        operation === 'DELETE' ? 'a DELETE needs the old object (the one deleted)' : `a ${operation} needs the object`,
    };
  if (operation === 'UPDATE' && !isMap(oldObject))
    return { ok: false, field: 'operation', message: 'an UPDATE needs the old object (the one stored before it)' };
  const meta = isMap(subject?.metadata) ? subject.metadata : {};

  let kind: RequestAttributes['kind'];
  if (given.kind !== undefined) {
    if (!isMap(given.kind) || typeof given.kind.kind !== 'string' || typeof given.kind.version !== 'string')
      return { ok: false, field: 'kind', message: 'kind must be {group, version, kind}' };
    kind = { group: String(given.kind.group ?? ''), version: given.kind.version, kind: given.kind.kind };
  } else {
    const apiVersion = subject?.apiVersion;
    if (typeof apiVersion !== 'string' || typeof subject?.kind !== 'string')
      return {
        ok: false,
        field: 'kind',
        message: 'the object needs apiVersion and kind (or give request.kind and request.resource)',
      };
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/', 2) : ['', apiVersion];
    kind = { group: group!, version: version!, kind: subject.kind };
  }

  let resource: RequestAttributes['resource'];
  if (given.resource !== undefined) {
    if (!isMap(given.resource) || typeof given.resource.resource !== 'string')
      return { ok: false, field: 'resource', message: 'resource must be {group, version, resource}' };
    resource = {
      group: String(given.resource.group ?? kind.group),
      version: String(given.resource.version ?? kind.version),
      resource: given.resource.resource,
    };
  } else {
    resource = { group: kind.group, version: kind.version, resource: guessResource(kind.kind) };
    if (!WELL_KNOWN.has(kind.kind))
      assumed.push(`resource ${resource.resource} (guessed from the kind; set request.resource if its plural differs)`);
  }

  const clusterScoped = CLUSTER_SCOPED.has(kind.kind);
  let namespace = typeof given.namespace === 'string' ? given.namespace : undefined;
  if (namespace === undefined) {
    if (clusterScoped) namespace = '';
    else if (typeof meta.namespace === 'string' && meta.namespace) namespace = meta.namespace;
    else {
      namespace = DEFAULT_NAMESPACE;
      assumed.push(`namespace ${DEFAULT_NAMESPACE} (as kubectl's default context)`);
    }
  }
  const name = typeof given.name === 'string' ? given.name : typeof meta.name === 'string' ? meta.name : undefined;

  const userInfo = isMap(given.userInfo) ? (given.userInfo as RequestAttributes['userInfo']) : undefined;
  if (given.userInfo !== undefined && !userInfo)
    return { ok: false, field: 'userInfo', message: 'userInfo must be {username, groups, …}' };

  const request: RequestAttributes = {
    operation: operation as RequestAttributes['operation'],
    kind,
    resource,
    ...(typeof given.subResource === 'string' && given.subResource ? { subResource: given.subResource } : {}),
    ...(namespace ? { namespace } : {}),
    ...(name ? { name } : {}),
    ...(userInfo ? { userInfo } : {}),
    ...(typeof given.dryRun === 'boolean' ? { dryRun: given.dryRun } : {}),
    ...(given.options !== undefined ? { options: given.options as Json } : {}),
  };

  // The create and update handlers set an empty metadata.namespace to the request's before admission.
  let admitted = object;
  if (namespace && isMap(object)) {
    const m = isMap(object.metadata) ? object.metadata : {};
    if (!m.namespace) admitted = { ...object, metadata: { ...(m as Record<string, Json>), namespace } } as Json;
  }
  return { ok: true, derived: { request, object: admitted, assumed } };
}

/** The namespace object the policy sees when none is given: what kube-apiserver creates (with its name label). */
export function defaultNamespaceObject(name: string): Json {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, labels: { 'kubernetes.io/metadata.name': name } },
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  };
}
