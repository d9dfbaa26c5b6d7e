// How an admission vector is put to the real kube-apiserver: plain REST calls as the harness admin (client
// certificate), optionally impersonating the vector's request.userInfo; the URL of the vector's request; and the
// probe policies whose effect says that the apiserver's policy source has caught up with every policy and binding
// created (or deleted) before them.
import { apiRequest, type ApiResponse } from './api-request.ts';
import type { RequestAttributes } from '../../src/policy/admission/types.ts';
import type { HarnessReady } from './harness.ts';

export type KubeResponse = ApiResponse;

export type UserInfo = NonNullable<RequestAttributes['userInfo']>;

/** The impersonation headers that make the apiserver see `user` as the requester. */
function impersonation(user: UserInfo | undefined): Record<string, string | string[]> {
  if (!user?.username) return {};
  const headers: Record<string, string | string[]> = { 'Impersonate-User': user.username };
  if (user.groups?.length) headers['Impersonate-Group'] = user.groups;
  if (user.uid) headers['Impersonate-Uid'] = user.uid;
  for (const [k, values] of Object.entries(user.extra ?? {}))
    headers[`Impersonate-Extra-${encodeURIComponent(k)}`] = values;
  return headers;
}

/** One request to the apiserver as the harness admin, or as `as` through impersonation. */
export function kube(
  ready: HarnessReady,
  method: string,
  path: string,
  body?: unknown,
  as?: UserInfo,
): Promise<KubeResponse> {
  return apiRequest(ready, method, path, body, { Accept: 'application/json', ...impersonation(as) });
}

/** `/api/v1` or `/apis/<group>/<version>`. */
export const groupVersionPath = (group: string, version: string): string =>
  group ? `/apis/${group}/${version}` : `/api/${version}`;

/**
 * The URL of the request a vector describes: the collection for a CREATE, the object (and subresource) otherwise;
 * `dryRun=All` on every write, so nothing is stored.
 */
export function requestPath(r: RequestAttributes, clusterScoped: boolean): string {
  let p = groupVersionPath(r.resource.group, r.resource.version);
  if (r.namespace && !clusterScoped) p += `/namespaces/${r.namespace}`;
  p += `/${r.resource.resource}`;
  if (r.operation !== 'CREATE' && r.name) p += `/${r.name}`;
  if (r.subResource) p += `/${r.subResource}`;
  return `${p}?dryRun=All&fieldManager=porthole-admission-differential`;
}

/** The HTTP method of an admission operation. */
export const METHOD: Record<RequestAttributes['operation'], string> = {
  CREATE: 'POST',
  UPDATE: 'PUT',
  DELETE: 'DELETE',
  CONNECT: 'POST',
};

export const ADMISSION_V1 = '/apis/admissionregistration.k8s.io/v1';
/** MutatingAdmissionPolicy is beta (and off unless enabled) in 1.34: the harness serves v1beta1. */
export const ADMISSION_V1BETA1 = '/apis/admissionregistration.k8s.io/v1beta1';

/** The collection URL of a policy or binding kind. */
export function policyCollection(kind: string): string {
  switch (kind) {
    case 'MutatingAdmissionPolicy':
      return `${ADMISSION_V1BETA1}/mutatingadmissionpolicies`;
    case 'MutatingAdmissionPolicyBinding':
      return `${ADMISSION_V1BETA1}/mutatingadmissionpolicybindings`;
    case 'ValidatingAdmissionPolicy':
      return `${ADMISSION_V1}/validatingadmissionpolicies`;
    case 'ValidatingAdmissionPolicyBinding':
      return `${ADMISSION_V1}/validatingadmissionpolicybindings`;
    default:
      throw new Error(`not a policy kind: ${kind}`);
  }
}

/** The group/version a policy kind is created in on this apiserver. */
export const policyApiVersion = (kind: string): string =>
  kind.startsWith('Mutating') ? 'admissionregistration.k8s.io/v1beta1' : 'admissionregistration.k8s.io/v1';

/**
 * The probes of one round: a MutatingAdmissionPolicy that labels, and a ValidatingAdmissionPolicy that warns on, a
 * dry-run ConfigMap named `name` and nothing else (resourceNames). Each policy kind has one policy source in the
 * apiserver, fed by one policy and one binding informer that see events in the order they were written and
 * recompiled as a whole (at most once a second): once a probe created last acts, every policy and binding of its
 * kind written before it — created or deleted — is in effect too.
 */
export function probeObjects(name: string): { kind: string; body: Record<string, unknown> }[] {
  const rules = [
    { apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'], operations: ['CREATE'], resourceNames: [name] },
  ];
  return [
    {
      kind: 'MutatingAdmissionPolicy',
      body: {
        apiVersion: 'admissionregistration.k8s.io/v1beta1',
        kind: 'MutatingAdmissionPolicy',
        metadata: { name },
        spec: {
          matchConstraints: { resourceRules: rules },
          failurePolicy: 'Fail',
          reinvocationPolicy: 'Never',
          mutations: [
            {
              patchType: 'ApplyConfiguration',
              applyConfiguration: {
                expression: `Object{metadata: Object.metadata{labels: {"${PROBE_LABEL}": "${name}"}}}`,
              },
            },
          ],
        },
      },
    },
    {
      kind: 'MutatingAdmissionPolicyBinding',
      body: {
        apiVersion: 'admissionregistration.k8s.io/v1beta1',
        kind: 'MutatingAdmissionPolicyBinding',
        metadata: { name },
        spec: { policyName: name },
      },
    },
    {
      kind: 'ValidatingAdmissionPolicy',
      body: {
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'ValidatingAdmissionPolicy',
        metadata: { name },
        spec: {
          matchConstraints: { resourceRules: rules },
          failurePolicy: 'Fail',
          validations: [{ expression: 'false', message: name }],
        },
      },
    },
    {
      kind: 'ValidatingAdmissionPolicyBinding',
      body: {
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'ValidatingAdmissionPolicyBinding',
        metadata: { name },
        spec: { policyName: name, validationActions: ['Warn'] },
      },
    },
  ];
}

export const PROBE_LABEL = 'porthole.test/probe';

/** True when both probes named `name` act on a dry-run ConfigMap of that name. */
export async function probesActive(ready: HarnessReady, name: string): Promise<boolean> {
  const res = await kube(ready, 'POST', '/api/v1/namespaces/default/configmaps?dryRun=All', {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name },
  });
  if (res.status !== 201) throw new Error(`probe ${name}: HTTP ${res.status}: ${res.body}`);
  const labels = (res.json?.metadata as { labels?: Record<string, string> } | undefined)?.labels ?? {};
  const mutated = labels[PROBE_LABEL] === name;
  const warned = res.warnings.some((w) => w.includes(`ValidatingAdmissionPolicy '${name}'`));
  return mutated && warned;
}
