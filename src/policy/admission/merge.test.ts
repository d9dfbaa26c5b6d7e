// The ApplyConfiguration merge on the built-in kinds the examples use, driven by the generated OpenAPI schemas
// (x-kubernetes-list-type / list-map-keys / map-type of k8s.io/api, as kube-openapi's schemaconv reads them):
// keyed lists merge by key and append new items, atomic lists, maps and structs refuse to be touched, maps merge
// per key, and nothing is ever removed.

import { describe, expect, it } from 'vitest';
import { admit } from './admit.ts';
import type { Json } from './jsonpatch.ts';
import '../../k8s/openapi/load-all.ts';
import { applyConfiguration, CONFIGMAP, DEPLOYMENT, mutatingRequest, type Resource } from './testing.ts';

const POD: Resource = { group: '', version: 'v1', kind: 'Pod', resource: 'pods' };
const SERVICE: Resource = { group: '', version: 'v1', kind: 'Service', resource: 'services' };

const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } },
  spec: {
    containers: [
      {
        name: 'web',
        image: 'web:1',
        args: ['--port=8080'],
        ports: [{ containerPort: 8080, protocol: 'TCP' }],
        resources: { limits: { cpu: '1' } },
      },
    ],
    nodeSelector: { disk: 'ssd' },
  },
};
const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default' },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: { containers: [{ name: 'web', image: 'web:1', env: [{ name: 'MODE', value: 'a' }] }] },
    },
  },
};
const service = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web', namespace: 'default' },
  spec: { selector: { app: 'web' }, ports: [{ port: 80, protocol: 'TCP', targetPort: 8080 }] },
};
const configMap = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'settings', namespace: 'default' },
  data: { a: '1' },
};

function mutate(kind: Resource, object: Json, expression: string) {
  // The merge alone: level apiserver would also default what the merge added (builtin-defaults.test.ts).
  return admit({
    ...mutatingRequest(kind, 'web', object, [applyConfiguration(expression)]),
    version: '1.34',
    level: 'dispatcher',
  });
}

const atomic = (...paths: string[]) =>
  `policy 'p' with binding 'b' denied request: error applying patch: invalid ApplyConfiguration: may not mutate atomic arrays, maps or structs: ${paths.join(', ')}`;

interface Case {
  name: string;
  kind: Resource;
  object: Json;
  expression: string;
  /** What the merged object must contain (toMatchObject), or the error. */
  want: { object: unknown } | { error: string };
  /** Exact values at dotted paths of the merged object, for lists (toMatchObject does not pin their length). */
  exactly?: [string, unknown][];
}

const cases: Case[] = [
  {
    name: 'Pod: a new container is appended after the existing ones (containers: map keyed by name)',
    kind: POD,
    object: pod,
    expression: 'Object{spec: Object.spec{containers: [Object.spec.containers{name: "log", image: "log:2"}]}}',
    want: { object: {} },
    exactly: [['spec.containers.1', { name: 'log', image: 'log:2' }]],
  },
  {
    name: 'Pod: an existing container merges by name: image replaced, args and ports kept',
    kind: POD,
    object: pod,
    expression: 'Object{spec: Object.spec{containers: [Object.spec.containers{name: "web", image: "web:2"}]}}',
    want: {
      object: {
        spec: {
          containers: [{ name: 'web', image: 'web:2', args: ['--port=8080'], ports: [{ containerPort: 8080 }] }],
        },
      },
    },
    exactly: [['spec.containers.length', 1]],
  },
  {
    name: 'Pod: a port without protocol is the TCP port already there (ports keyed by containerPort and protocol, protocol defaults to TCP)',
    kind: POD,
    object: pod,
    expression:
      'Object{spec: Object.spec{containers: [Object.spec.containers{name: "web", ports: [Object.spec.containers.ports{containerPort: 8080, name: "http"}]}]}}',
    want: { object: {} },
    exactly: [['spec.containers.0.ports', [{ containerPort: 8080, protocol: 'TCP', name: 'http' }]]],
  },
  {
    name: 'Pod: the same port over UDP is another item',
    kind: POD,
    object: pod,
    expression:
      'Object{spec: Object.spec{containers: [Object.spec.containers{name: "web", ports: [Object.spec.containers.ports{containerPort: 8080, protocol: "UDP"}]}]}}',
    want: { object: {} },
    exactly: [
      [
        'spec.containers.0.ports',
        [
          { containerPort: 8080, protocol: 'TCP' },
          { containerPort: 8080, protocol: 'UDP' },
        ],
      ],
    ],
  },
  {
    name: 'Pod: args is an atomic list',
    kind: POD,
    object: pod,
    expression: 'Object{spec: Object.spec{containers: [Object.spec.containers{name: "web", args: ["--v=2"]}]}}',
    want: { error: atomic('.spec.containers[0].args') },
  },
  {
    name: 'Pod: nodeSelector is an atomic map, tolerations an atomic list',
    kind: POD,
    object: pod,
    expression:
      'Object{spec: Object.spec{nodeSelector: {"zone": "a"}, tolerations: [Object.spec.tolerations{key: "k", operator: "Exists"}]}}',
    want: { error: atomic('.spec.nodeSelector', '.spec.tolerations') },
  },
  {
    name: 'Pod: labels and resource limits are granular maps: a key is added, the others kept',
    kind: POD,
    object: pod,
    expression:
      'Object{metadata: Object.metadata{labels: {"team": "a"}}, spec: Object.spec{containers: [Object.spec.containers{name: "web", resources: Object.spec.containers.resources{limits: {"memory": "64Mi"}}}]}}',
    want: {
      object: {
        metadata: { labels: { app: 'web', team: 'a' } },
        spec: { containers: [{ resources: { limits: { cpu: '1', memory: '64Mi' } } }] },
      },
    },
  },
  {
    name: 'Pod: an unknown field is refused by the schema',
    kind: POD,
    object: pod,
    expression: 'Object{spec: Object.spec{hostnamex: "h"}}',
    want: {
      error:
        "policy 'p' with binding 'b' denied request: error applying patch: failed to convert patch object to typed object: .spec.hostnamex: field not declared in schema",
    },
  },
  {
    name: 'Deployment: spec.selector is an atomic struct',
    kind: DEPLOYMENT,
    object: deployment,
    expression: 'Object{spec: Object.spec{selector: Object.spec.selector{matchLabels: {"app": "web2"}}}}',
    want: { error: atomic('.spec.selector') },
  },
  {
    name: 'Deployment: replicas replaced; the template’s env merges by name',
    kind: DEPLOYMENT,
    object: deployment,
    expression:
      'Object{spec: Object.spec{replicas: 3, template: Object.spec.template{spec: Object.spec.template.spec{containers: [Object.spec.template.spec.containers{name: "web", env: [Object.spec.template.spec.containers.env{name: "LOG", value: "debug"}]}]}}}}',
    want: { object: { spec: { replicas: 3 } } },
    exactly: [
      [
        'spec.template.spec.containers.0.env',
        [
          { name: 'MODE', value: 'a' },
          { name: 'LOG', value: 'debug' },
        ],
      ],
    ],
  },
  {
    name: 'Service: ports keyed by port and protocol: 80 merges, 443 is appended',
    kind: SERVICE,
    object: service,
    expression:
      'Object{spec: Object.spec{ports: [Object.spec.ports{port: 80, name: "http"}, Object.spec.ports{port: 443, name: "https"}]}}',
    want: { object: {} },
    exactly: [
      [
        'spec.ports',
        [
          { port: 80, protocol: 'TCP', targetPort: 8080, name: 'http' },
          // The merge keeps what the patch gave: protocol TCP comes from the apiserver's defaulting afterwards.
          { port: 443, name: 'https' },
        ],
      ],
    ],
  },
  {
    name: 'Service: spec.selector is an atomic map',
    kind: SERVICE,
    object: service,
    expression: 'Object{spec: Object.spec{selector: {"tier": "front"}}}',
    want: { error: atomic('.spec.selector') },
  },
  {
    name: 'ConfigMap: data is a granular map: a key added, the others kept, none removed',
    kind: CONFIGMAP,
    object: configMap,
    expression: 'Object{data: {"b": "2"}}',
    want: { object: { data: { a: '1', b: '2' } } },
  },
  {
    name: 'ConfigMap: a number where data wants a string',
    kind: CONFIGMAP,
    object: configMap,
    expression: 'Object{data: {"b": 2}}',
    want: {
      error:
        "policy 'p' with binding 'b' denied request: error applying patch: failed to convert patch object to typed object: .data.b: expected string, got &value.valueUnstructured{Value:2}",
    },
  },
];

function at(value: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], value);
}

describe('the ApplyConfiguration merge on built-in kinds', () => {
  for (const c of cases)
    it(c.name, () => {
      const r = mutate(c.kind, c.object, c.expression);
      if ('error' in c.want) {
        expect(r.error?.message).toBe(c.want.error);
        return;
      }
      expect(r.error).toBeUndefined();
      expect(r.object).toMatchObject(c.want.object as object);
      for (const [path, value] of c.exactly ?? []) expect(at(r.object, path), path).toEqual(value);
    });
});
