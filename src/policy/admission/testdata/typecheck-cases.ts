// ValidatingAdmissionPolicy type-check cases: a policy spec and what kube-controller-manager's
// validatingadmissionpolicy-status controller writes for it, one line per (expression, kind, issue):
// `fieldRef | kind | line:column: message`. The facts come from reading k8s.io/apiserver typechecking.go and
// were checked against upstream's TypeChecker itself (e2e/cluster/cmd/typecheck, typecheck-differential.test.ts).

import type { PolicySpec } from '../types.ts';

export interface TypeCheckCase {
  id: string;
  /** Kubernetes minor (default 1.34). */
  version?: string;
  spec: PolicySpec;
  expect: string[];
}

const rule = (apiGroups: string[], apiVersions: string[], resources: string[]) => ({
  resourceRules: [{ apiGroups, apiVersions, resources, operations: ['CREATE'] }],
});
const deployments = rule(['apps'], ['v1'], ['deployments']);
const D = 'apps/v1, Kind=Deployment';
const v = (...expressions: string[]) => expressions.map((expression) => ({ expression }));

export const TYPECHECK_CASES: TypeCheckCase[] = [
  {
    id: 'undefined-field',
    spec: { matchConstraints: deployments, validations: v("object.foo == 'bar'") },
    expect: [`spec.validations[0].expression | ${D} | 1:7: undefined field 'foo'`],
  },
  {
    id: 'int-plus-string',
    spec: { matchConstraints: deployments, validations: v("object.spec.replicas + 'a' == 1") },
    expect: [
      `spec.validations[0].expression | ${D} | 1:22: found no matching overload for '_+_' applied to '(int, string)'`,
    ],
  },
  {
    id: 'well-typed-passes',
    spec: {
      matchConstraints: deployments,
      validations: v(
        'object.spec.replicas + 1 > 0',
        "object.metadata.labels['app'] == 'web' && object.metadata.name.startsWith('w')",
        "object.spec.template.spec.containers.all(c, c.image != '' && c.ports.all(p, p.containerPort < 65536))",
        'has(object.spec.strategy) && object.spec.strategy.rollingUpdate.maxSurge == 1',
        "object.spec.strategy.rollingUpdate.maxSurge == '25%'",
        'object.metadata.creationTimestamp == null || object.metadata.creationTimestamp < now()',
      ).map((x) => ({ ...x, expression: x.expression.replace('now()', "timestamp('2030-01-01T00:00:00Z')") })),
    },
    expect: [],
  },
  {
    id: 'message-expression-object-type-name',
    spec: {
      matchConstraints: deployments,
      validations: [{ expression: 'true', messageExpression: 'object.spec + 1' }],
    },
    expect: [
      `spec.validations[0].messageExpression | ${D} | 1:13: found no matching overload for '_+_' applied to '(Deployment0.spec, int)'`,
    ],
  },
  {
    id: 'quantity-maps-not-exposed',
    spec: {
      matchConstraints: deployments,
      validations: v("object.spec.template.spec.containers[0].resources.limits['cpu'] == '1'"),
    },
    expect: [`spec.validations[0].expression | ${D} | 1:50: undefined field 'limits'`],
  },
  {
    id: 'has-on-unknown-field',
    spec: { matchConstraints: deployments, validations: v('has(object.spec.nope)') },
    expect: [`spec.validations[0].expression | ${D} | 1:4: undefined field 'nope'`],
  },
  {
    id: 'timestamp-field',
    spec: { matchConstraints: deployments, validations: v('object.metadata.creationTimestamp + 1 > 0') },
    expect: [
      `spec.validations[0].expression | ${D} | 1:35: found no matching overload for '_+_' applied to '(timestamp, int)'`,
    ],
  },
  {
    id: 'list-element-field',
    spec: {
      matchConstraints: deployments,
      validations: v("object.spec.template.spec.containers.all(c, c.imagee != '')"),
    },
    expect: [`spec.validations[0].expression | ${D} | 1:46: undefined field 'imagee'`],
  },
  {
    id: 'two-issues-one-expression',
    spec: { matchConstraints: deployments, validations: v('object.a == 1 && object.spec.b == 2') },
    expect: [
      `spec.validations[0].expression | ${D} | 1:7: undefined field 'a'`,
      `spec.validations[0].expression | ${D} | 1:29: undefined field 'b'`,
    ],
  },
  {
    id: 'keyword-field-1.34',
    spec: { matchConstraints: deployments, validations: v("object.metadata.namespace == 'default'") },
    expect: [],
  },
  {
    id: 'keyword-field-1.30',
    version: '1.30',
    spec: { matchConstraints: deployments, validations: v("object.metadata.namespace == 'default'") },
    expect: [`spec.validations[0].expression | ${D} | 1:16: undefined field 'namespace'`],
  },
  {
    id: 'authorizer-request-resource-not-declared',
    spec: {
      matchConstraints: deployments,
      validations: v(
        "authorizer.requestResource.check('get').allowed()",
        "authorizer.group('').resource('pods').check('get').allowed()",
      ),
    },
    expect: [
      `spec.validations[0].expression | ${D} | 1:11: unexpected failed resolution of 'kubernetes.authorization.Authorizer'`,
    ],
  },
  {
    id: 'params-without-param-kind',
    spec: { matchConstraints: deployments, validations: v("params.data.x == 'a'") },
    expect: [`spec.validations[0].expression | ${D} | 1:1: undeclared reference to 'params' (in container '')`],
  },
  {
    id: 'params-typed-from-param-kind',
    spec: {
      paramKind: { apiVersion: 'v1', kind: 'ConfigMap' },
      matchConstraints: deployments,
      validations: v("params.data.x == 'a'", 'params.data.x == 1', 'params.foo'),
    },
    expect: [
      `spec.validations[1].expression | ${D} | 1:15: found no matching overload for '_==_' applied to '(string, int)'`,
      `spec.validations[2].expression | ${D} | 1:7: undefined field 'foo'`,
    ],
  },
  {
    id: 'params-kind-unknown-is-undeclared',
    spec: {
      paramKind: { apiVersion: 'example.com/v1', kind: 'Settings' },
      matchConstraints: deployments,
      validations: v('params.x'),
    },
    expect: [`spec.validations[0].expression | ${D} | 1:1: undeclared reference to 'params' (in container '')`],
  },
  {
    id: 'core-group-matches-every-group',
    spec: { matchConstraints: rule([''], ['v1'], ['events']), validations: v('object.x') },
    expect: [
      `spec.validations[0].expression | /v1, Kind=Event | 1:7: undefined field 'x'`,
      `spec.validations[0].expression | events.k8s.io/v1, Kind=Event | 1:7: undefined field 'x'`,
    ],
  },
  {
    id: 'singular-resource-name',
    spec: { matchConstraints: rule(['apps'], ['v1'], ['deployment']), validations: v('object.x') },
    expect: [`spec.validations[0].expression | ${D} | 1:7: undefined field 'x'`],
  },
  {
    id: 'wildcards-and-subresources-unchecked',
    spec: {
      matchConstraints: {
        resourceRules: [
          { apiGroups: ['apps'], apiVersions: ['*'], resources: ['deployments'] },
          { apiGroups: ['*'], apiVersions: ['v1'], resources: ['deployments'] },
          { apiGroups: ['apps'], apiVersions: ['v1'], resources: ['*', 'deployments/status', 'deployments/*'] },
        ],
      },
      validations: v('object.x'),
    },
    expect: [],
  },
  {
    id: 'no-match-constraints',
    spec: { validations: v('object.x') },
    expect: [],
  },
  {
    id: 'only-validations-are-checked',
    spec: {
      matchConstraints: deployments,
      matchConditions: [{ name: 'm', expression: 'object.x' }],
      auditAnnotations: [{ key: 'k', valueExpression: 'object.y' }],
      variables: [{ name: 'z', expression: 'object.z' }],
      validations: v('true'),
    },
    expect: [],
  },
  {
    id: 'variables-typed-failing-dyn-objects-dyn',
    spec: {
      matchConstraints: deployments,
      variables: [
        { name: 'replicas', expression: 'object.spec.replicas' },
        { name: 'spec', expression: 'object.spec' },
        { name: 'broken', expression: 'object.nope' },
      ],
      validations: v(
        "variables.replicas + 'x' == 1",
        'variables.spec.anything && variables.broken.anything',
        'variables.missing',
      ),
    },
    expect: [
      `spec.validations[0].expression | ${D} | 1:20: found no matching overload for '_+_' applied to '(int, string)'`,
      `spec.validations[2].expression | ${D} | 1:10: undefined field 'missing'`,
    ],
  },
  {
    id: 'result-type-not-enforced',
    spec: { matchConstraints: deployments, validations: v('object.spec') },
    expect: [],
  },
  {
    id: 'secret-data-is-bytes',
    spec: { matchConstraints: rule([''], ['v1'], ['secrets']), validations: v("object.data['k'] == 'abc'") },
    expect: [
      `spec.validations[0].expression | /v1, Kind=Secret | 1:18: found no matching overload for '_==_' applied to '(bytes, string)'`,
    ],
  },
  {
    id: 'raw-extension-has-no-fields',
    spec: { matchConstraints: rule(['apps'], ['v1'], ['controllerrevisions']), validations: v('object.data.foo') },
    expect: [`spec.validations[0].expression | apps/v1, Kind=ControllerRevision | 1:12: undefined field 'foo'`],
  },
  {
    id: 'recursive-schema-placeholder',
    spec: {
      matchConstraints: rule(['apiextensions.k8s.io'], ['v1'], ['customresourcedefinitions']),
      validations: v(
        "object.spec.versions[0].schema.openAPIV3Schema.type == 'object'",
        "object.spec.versions[0].schema.openAPIV3Schema.properties['a'].type == 'x'",
      ),
    },
    expect: [
      `spec.validations[1].expression | apiextensions.k8s.io/v1, Kind=CustomResourceDefinition | 1:63: undefined field 'type'`,
    ],
  },
  {
    id: 'at-most-ten-kinds-per-rule',
    spec: {
      matchConstraints: rule(
        [''],
        ['v1'],
        [
          'configmaps',
          'endpoints',
          'events',
          'limitranges',
          'namespaces',
          'nodes',
          'persistentvolumeclaims',
          'persistentvolumes',
          'pods',
          'podtemplates',
          'secrets',
          'services',
        ],
      ),
      validations: v('object.x'),
    },
    expect: [
      'ConfigMap',
      'Endpoints',
      'Event',
      'LimitRange',
      'Namespace',
      'Node',
      'PersistentVolume',
      'PersistentVolumeClaim',
      'Pod',
    ]
      .map((k) => `spec.validations[0].expression | /v1, Kind=${k} | 1:7: undefined field 'x'`)
      .concat([`spec.validations[0].expression | events.k8s.io/v1, Kind=Event | 1:7: undefined field 'x'`]),
  },
];
