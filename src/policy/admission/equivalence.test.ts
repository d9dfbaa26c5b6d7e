// matchPolicy Equivalent and the defaulting step, as the mutating dispatcher runs them: which resources are
// equivalent, what version the policy sees, and that defaults land after every mutation.

import { describe, expect, it } from 'vitest';
import { admit } from './admit.ts';
import { applyDefaults } from './defaulting.ts';
import { equivalentResources } from './equivalence.ts';
import type { Json } from './jsonpatch.ts';
import type { AdmissionRequestInput, MatchResources, Policy } from './types.ts';
import '../../k8s/openapi/load-all.ts';
import { VALID_DEPLOYMENT_SPEC } from './testing.ts';

const pandas: Json = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'pandas.awesome.bears.com' },
  spec: {
    group: 'awesome.bears.com',
    scope: 'Cluster',
    names: { plural: 'pandas', kind: 'Panda' },
    versions: [
      { name: 'v1', served: true, storage: true, subresources: { status: {} } },
      { name: 'v2', served: true, storage: false },
      { name: 'v3', served: false, storage: false },
    ],
  },
};

const gvr = (group: string, version: string, resource: string) => ({ group, version, resource });
const names = (l: { resource: { group: string; version: string; resource: string } }[]) =>
  l.map((e) => `${e.resource.group || 'core'}/${e.resource.version}/${e.resource.resource}`);

describe('EquivalentResourcesFor', () => {
  const cases: { what: string; args: Parameters<typeof equivalentResources>; want: string[] }[] = [
    {
      what: 'a CRD: every served version, in spec.versions order',
      args: [gvr('awesome.bears.com', 'v2', 'pandas'), '', '1.34', [pandas]],
      want: ['awesome.bears.com/v1/pandas', 'awesome.bears.com/v2/pandas'],
    },
    {
      what: 'a CRD subresource: only versions that declare it',
      args: [gvr('awesome.bears.com', 'v1', 'pandas'), 'status', '1.34', [pandas]],
      want: ['awesome.bears.com/v1/pandas'],
    },
    {
      what: 'a CRD the input does not declare: nothing known',
      args: [gvr('awesome.bears.com', 'v2', 'pandas'), '', '1.34', []],
      want: [],
    },
    {
      what: 'core events cohabit with events.k8s.io',
      args: [gvr('', 'v1', 'events'), '', '1.34', []],
      want: ['core/v1/events', 'events.k8s.io/v1/events'],
    },
    {
      what: 'autoscaling v1 and v2 horizontalpodautoscalers',
      args: [gvr('autoscaling', 'v2', 'horizontalpodautoscalers'), 'status', '1.30', []],
      want: ['autoscaling/v1/horizontalpodautoscalers', 'autoscaling/v2/horizontalpodautoscalers'],
    },
    {
      what: 'flowcontrol v1beta3 is served by default in 1.31 only up to its removal',
      args: [gvr('flowcontrol.apiserver.k8s.io', 'v1', 'flowschemas'), '', '1.31', []],
      want: ['flowcontrol.apiserver.k8s.io/v1/flowschemas', 'flowcontrol.apiserver.k8s.io/v1beta3/flowschemas'],
    },
    {
      what: 'flowcontrol v1beta3 is gone in 1.32',
      args: [gvr('flowcontrol.apiserver.k8s.io', 'v1', 'flowschemas'), '', '1.32', []],
      want: ['flowcontrol.apiserver.k8s.io/v1/flowschemas'],
    },
  ];
  for (const c of cases) it(c.what, () => expect(names(equivalentResources(...c.args))).toEqual(c.want));
});

const labelPolicy = (match: MatchResources, expression: string): Policy => ({
  apiVersion: 'admissionregistration.k8s.io/v1beta1',
  kind: 'MutatingAdmissionPolicy',
  metadata: { name: 'p' },
  spec: {
    matchConstraints: match,
    reinvocationPolicy: 'Never',
    mutations: [{ patchType: 'ApplyConfiguration', applyConfiguration: { expression } }],
  },
});

function pandaRequest(policy: Policy): AdmissionRequestInput {
  return {
    request: {
      operation: 'CREATE',
      kind: { group: 'awesome.bears.com', version: 'v2', kind: 'Panda' },
      resource: gvr('awesome.bears.com', 'v2', 'pandas'),
      name: 'p1',
    },
    policies: [policy],
    bindings: [{ kind: 'MutatingAdmissionPolicyBinding', metadata: { name: 'b' }, spec: { policyName: 'p' } }],
    object: { apiVersion: 'awesome.bears.com/v2', kind: 'Panda', metadata: { name: 'p1' } },
    customResourceDefinitions: [pandas],
  };
}

const v1Rule = { apiGroups: ['awesome.bears.com'], apiVersions: ['v1'], resources: ['pandas'], operations: ['*'] };
// The labels record what the policy saw: request.kind and requestKind versions and the object's apiVersion.
const seen =
  'Object{metadata: Object.metadata{labels: {"kind": request.kind.version, "requestKind": request.requestKind.version, "resource": request.resource.version, "object": object.apiVersion.split("/")[1]}}}';

describe('matchPolicy Equivalent', () => {
  it('a v1 rule matches a v2 request; the policy sees v1, the result is v2 again', () => {
    const r = admit(pandaRequest(labelPolicy({ resourceRules: [v1Rule] }, seen)));
    expect(r.error).toBeUndefined();
    expect(r.object).toEqual({
      apiVersion: 'awesome.bears.com/v2',
      kind: 'Panda',
      metadata: { name: 'p1', labels: { kind: 'v1', requestKind: 'v2', resource: 'v1', object: 'v1' } },
    });
  });
  it('matchPolicy Exact does not match through an equivalent version', () => {
    const r = admit(pandaRequest(labelPolicy({ resourceRules: [v1Rule], matchPolicy: 'Exact' }, seen)));
    expect(r.object).toEqual(pandaRequest(labelPolicy({}, seen)).object);
    expect(r.invocations[0]?.why).toContain('no resourceRule matches');
  });
  it('excludeResourceRules are matched through equivalents too', () => {
    const r = admit(
      pandaRequest(
        labelPolicy({ resourceRules: [{ ...v1Rule, apiVersions: ['*'] }], excludeResourceRules: [v1Rule] }, seen),
      ),
    );
    expect(r.invocations[0]?.why).toContain('excluded by excludeResourceRules');
  });
  it('a rule for the request version itself needs no conversion', () => {
    const r = admit(pandaRequest(labelPolicy({ resourceRules: [{ ...v1Rule, apiVersions: ['v2'] }] }, seen)));
    expect(r.object).toMatchObject({
      metadata: { labels: { kind: 'v2', requestKind: 'v2', resource: 'v2', object: 'v2' } },
    });
  });
  it('extensions/v1beta1 deployments are not served in 1.30+, so they match nothing', () => {
    const deployment: Json = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd', namespace: 'default' },
      spec: VALID_DEPLOYMENT_SPEC,
    };
    const r = admit({
      request: {
        operation: 'CREATE',
        kind: { group: 'apps', version: 'v1', kind: 'Deployment' },
        resource: gvr('apps', 'v1', 'deployments'),
        namespace: 'default',
        name: 'd',
      },
      policies: [
        labelPolicy(
          {
            resourceRules: [
              { apiGroups: ['extensions'], apiVersions: ['v1beta1'], resources: ['deployments'], operations: ['*'] },
            ],
          },
          'Object{metadata: Object.metadata{labels: {"x": "y"}}}',
        ),
      ],
      bindings: [{ kind: 'MutatingAdmissionPolicyBinding', metadata: { name: 'b' }, spec: { policyName: 'p' } }],
      object: deployment,
      namespaceObject: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } },
    });
    expect(r.error).toBeUndefined();
    expect(r.object).toEqual(deployment);
  });
  it('a built-in conversion (core events seen as events.k8s.io) is reported as not modelled', () => {
    const r = admit({
      request: {
        operation: 'CREATE',
        kind: { group: '', version: 'v1', kind: 'Event' },
        resource: gvr('', 'v1', 'events'),
        name: 'e',
      },
      policies: [
        labelPolicy(
          {
            resourceRules: [
              { apiGroups: ['events.k8s.io'], apiVersions: ['v1'], resources: ['events'], operations: ['*'] },
            ],
          },
          'Object{metadata: Object.metadata{labels: {"x": "y"}}}',
        ),
      ],
      bindings: [{ kind: 'MutatingAdmissionPolicyBinding', metadata: { name: 'b' }, spec: { policyName: 'p' } }],
      object: { apiVersion: 'v1', kind: 'Event', metadata: { name: 'e' } },
    });
    expect(r.error?.message).toBe(
      'converting v1 Event to events.k8s.io/v1 is not modelled by Porthole (a built-in conversion)',
    );
  });
});

describe('defaulting after each mutation', () => {
  const twoMutations: Policy = {
    apiVersion: 'admissionregistration.k8s.io/v1beta1',
    kind: 'MutatingAdmissionPolicy',
    metadata: { name: 'p' },
    spec: {
      matchConstraints: {
        resourceRules: [{ apiGroups: ['apps'], apiVersions: ['v1'], resources: ['deployments'], operations: ['*'] }],
      },
      reinvocationPolicy: 'Never',
      mutations: [
        {
          patchType: 'ApplyConfiguration',
          applyConfiguration: { expression: 'Object{spec: Object.spec{replicas: 2}}' },
        },
        {
          // The second mutation sees what the defaulter filled after the first.
          patchType: 'ApplyConfiguration',
          applyConfiguration: {
            expression: 'Object{metadata: Object.metadata{labels: {"strategy": object.spec.strategy.type}}}',
          },
        },
      ],
    },
  };
  const input = (level: AdmissionRequestInput['level']): AdmissionRequestInput => ({
    level,
    request: {
      operation: 'CREATE',
      kind: { group: 'apps', version: 'v1', kind: 'Deployment' },
      resource: gvr('apps', 'v1', 'deployments'),
      namespace: 'default',
      name: 'd',
    },
    policies: [twoMutations],
    bindings: [{ kind: 'MutatingAdmissionPolicyBinding', metadata: { name: 'b' }, spec: { policyName: 'p' } }],
    object: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'default' } },
    namespaceObject: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } },
    defaulting: [
      { apiVersion: 'apps/v1', kind: 'Deployment', field: ['spec', 'strategy', 'type'], value: 'RollingUpdate' },
    ],
  });
  it('the dispatcher runs the defaulter after every mutation, so the next one sees the default', () => {
    const r = admit(input('dispatcher'));
    expect(r.error).toBeUndefined();
    expect(r.object).toMatchObject({
      metadata: { labels: { strategy: 'RollingUpdate' } },
      spec: { replicas: 2, strategy: { type: 'RollingUpdate' } },
    });
  });
  it('a default for a field named __proto__ is an own field and reaches no prototype', () => {
    const out = applyDefaults({ apiVersion: 'v1', kind: 'ConfigMap' }, [
      { apiVersion: 'v1', kind: 'ConfigMap', field: ['__proto__', 'polluted'], value: true },
    ]);
    expect(JSON.stringify(out)).toBe('{"apiVersion":"v1","kind":"ConfigMap","__proto__":{"polluted":true}}');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
  it('the patcher level runs no defaulting: the second mutation finds no strategy', () => {
    const r = admit(input('patcher'));
    expect(r.error?.message).toContain('resulted in error: no such key: strategy');
  });
});

describe('matchPolicy Equivalent in a ValidatingAdmissionPolicy', () => {
  // The message records what the validation saw, as the labels do for the mutation above.
  const vap = (match: MatchResources): Policy => ({
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicy',
    metadata: { name: 'p' },
    spec: {
      matchConstraints: match,
      validations: [
        {
          expression: 'false',
          messageExpression:
            '"kind " + request.kind.version + ", requestKind " + request.requestKind.version + ", object " + object.apiVersion',
        },
      ],
    },
  });
  const request = (policy: Policy): AdmissionRequestInput => ({
    ...pandaRequest(policy),
    bindings: [
      {
        kind: 'ValidatingAdmissionPolicyBinding',
        metadata: { name: 'b' },
        spec: { policyName: 'p', validationActions: ['Deny'] },
      },
    ],
  });

  it('a v1 rule matches a v2 request, and the validation sees v1', () => {
    const r = admit(request(vap({ resourceRules: [v1Rule] })));
    expect(r.error?.message).toBe(
      "pandas.awesome.bears.com \"p1\" is forbidden: ValidatingAdmissionPolicy 'p' with binding 'b' denied request: kind v1, requestKind v2, object awesome.bears.com/v1",
    );
  });
  it('matchPolicy Exact does not', () => {
    const r = admit(request(vap({ resourceRules: [v1Rule], matchPolicy: 'Exact' })));
    expect(r.error).toBeUndefined();
    expect(r.validations[0]?.why).toContain('no resourceRule matches');
  });
});
