// Test support (imported by tests only): one CREATE of an object through a single MutatingAdmissionPolicy `p`
// bound by `b`, matching every resource, in namespace default.

import type { Json } from './jsonpatch.ts';
import type { AdmissionRequestInput, Mutation } from './types.ts';

export interface Resource {
  group: string;
  version: string;
  kind: string;
  resource: string;
}

export const CONFIGMAP: Resource = { group: '', version: 'v1', kind: 'ConfigMap', resource: 'configmaps' };
export const DEPLOYMENT: Resource = { group: 'apps', version: 'v1', kind: 'Deployment', resource: 'deployments' };

/** The smallest Deployment spec kube-apiserver's validation accepts: a selector, its labels, one container. */
export const VALID_DEPLOYMENT_SPEC = {
  selector: { matchLabels: { app: 'd' } },
  template: {
    metadata: { labels: { app: 'd' } },
    spec: { containers: [{ name: 'app', image: 'registry.test/app:1' }] },
  },
} as const satisfies Json;

export const applyConfiguration = (expression: string): Mutation => ({
  patchType: 'ApplyConfiguration',
  applyConfiguration: { expression },
});

export function mutatingRequest(
  resource: Resource,
  name: string,
  object: Json,
  mutations: Mutation[],
  extra: Partial<AdmissionRequestInput> = {},
): AdmissionRequestInput {
  const { kind, ...gvr } = resource;
  return {
    request: {
      operation: 'CREATE',
      kind: { group: gvr.group, version: gvr.version, kind },
      resource: gvr,
      namespace: 'default',
      name,
    },
    policies: [
      {
        apiVersion: 'admissionregistration.k8s.io/v1beta1',
        kind: 'MutatingAdmissionPolicy',
        metadata: { name: 'p' },
        spec: {
          matchConstraints: {
            resourceRules: [{ apiGroups: ['*'], apiVersions: ['*'], resources: ['*'], operations: ['*'] }],
          },
          reinvocationPolicy: 'Never',
          mutations,
        },
      },
    ],
    bindings: [{ kind: 'MutatingAdmissionPolicyBinding', metadata: { name: 'b' }, spec: { policyName: 'p' } }],
    object,
    namespaceObject: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } },
    ...extra,
  };
}
