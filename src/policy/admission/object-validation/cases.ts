// The object validation cases, each with the message kube-apiserver 1.34 answers for a dry-run create of the
// object in namespace `default`. The unit test holds validateBuiltinObject to these messages; the e2e/cluster
// suite object-validation.test.ts holds the real apiserver to the same ones, so every expectation here is checked
// against Kubernetes itself. A null message: the object is valid.

import type { Json } from '../jsonpatch.ts';

export interface ObjectValidationCase {
  name: string;
  object: Json;
  message: string | null;
}

const container = (extra: Record<string, Json> = {}): Json => ({ name: 'app', image: 'registry.test/app:1', ...extra });
const pod = (spec: Record<string, Json>, metadata: Record<string, Json> = {}): Json => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p1', ...metadata },
  spec: { automountServiceAccountToken: false, containers: [container()], ...spec },
});
const deployment = (spec: Record<string, Json>, metadata: Record<string, Json> = {}): Json => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'd1', ...metadata },
  spec: {
    selector: { matchLabels: { app: 'd1' } },
    template: { metadata: { labels: { app: 'd1' } }, spec: { containers: [container()] } },
    ...spec,
  },
});
const podTemplate = (spec: Record<string, Json>, labels: Json = { app: 'd1' }): Record<string, Json> => ({
  template: { metadata: { labels }, spec: { containers: [container()], ...spec } },
});

const QUALIFIED =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const DNS_LABEL =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS_SUBDOMAIN =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

export const OBJECT_VALIDATION_CASES: ObjectValidationCase[] = [
  { name: 'a valid pod', object: pod({}), message: null },
  { name: 'a valid deployment', object: deployment({}), message: null },
  {
    name: 'a pod without containers',
    object: pod({ containers: [] }),
    message: 'Pod "p1" is invalid: spec.containers: Required value',
  },
  {
    name: 'a container without an image',
    object: pod({ containers: [{ name: 'app' }] }),
    message: 'Pod "p1" is invalid: spec.containers[0].image: Required value',
  },
  {
    name: 'two containers with one name',
    object: pod({ containers: [container(), container()] }),
    message: 'Pod "p1" is invalid: spec.containers[1].name: Duplicate value: "app"',
  },
  {
    name: 'an init container named like a container',
    object: pod({ initContainers: [container()] }),
    message: 'Pod "p1" is invalid: spec.initContainers[0].name: Duplicate value: "app"',
  },
  {
    name: 'a container name that is not a DNS label',
    object: pod({ containers: [container({ name: 'App_1' })] }),
    message: `Pod "p1" is invalid: spec.containers[0].name: Invalid value: "App_1": ${DNS_LABEL}`,
  },
  {
    name: 'a volume with two sources',
    object: pod({ volumes: [{ name: 'v', emptyDir: {}, hostPath: { path: '/tmp' } }] }),
    message: 'Pod "p1" is invalid: spec.volumes[0].hostPath: Forbidden: may not specify more than 1 volume type',
  },
  {
    name: 'a downwardAPI volume after a configMap (upstream spells the path downwarAPI)',
    object: pod({ volumes: [{ name: 'v', configMap: { name: 'c' }, downwardAPI: {} }] }),
    message: 'Pod "p1" is invalid: spec.volumes[0].configMap: Forbidden: may not specify more than 1 volume type',
  },
  {
    name: 'two volumes with one name',
    object: pod({
      volumes: [
        { name: 'v', emptyDir: {} },
        { name: 'v', emptyDir: {} },
      ],
    }),
    message: 'Pod "p1" is invalid: spec.volumes[1].name: Duplicate value: "v"',
  },
  {
    name: 'a mount of a volume that does not exist',
    object: pod({ containers: [container({ volumeMounts: [{ name: 'data', mountPath: '/data' }] })] }),
    message: 'Pod "p1" is invalid: spec.containers[0].volumeMounts[0].name: Not found: "data"',
  },
  {
    name: 'a hostPath without a path',
    object: pod({ volumes: [{ name: 'v', hostPath: { path: '' } }] }),
    message: 'Pod "p1" is invalid: spec.volumes[0].hostPath.path: Required value',
  },
  {
    name: 'a container port out of range and an unknown protocol',
    object: pod({ containers: [container({ ports: [{ containerPort: 70000, protocol: 'ICMP' }] })] }),
    message:
      'Pod "p1" is invalid: [spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive, spec.containers[0].ports[0].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"]',
  },
  {
    name: 'a port name that is too long and upper case',
    object: pod({ containers: [container({ ports: [{ name: 'Metrics-Port-Long', containerPort: 9090 }] })] }),
    message:
      'Pod "p1" is invalid: [spec.containers[0].ports[0].name: Invalid value: "Metrics-Port-Long": must be no more than 15 characters, spec.containers[0].ports[0].name: Invalid value: "Metrics-Port-Long": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)]',
  },
  {
    name: 'an env name with = (relaxed names allow anything printable but =)',
    object: pod({ containers: [container({ env: [{ name: '1 A=B', value: 'x' }] })] }),
    message:
      'Pod "p1" is invalid: spec.containers[0].env[0].name: Invalid value: "1 A=B": a valid environment variable name must consist only of printable ASCII characters other than \'=\'',
  },
  {
    name: 'an unknown pull policy and restart policy',
    object: pod({ restartPolicy: 'Sometimes', containers: [container({ imagePullPolicy: 'Maybe' })] }),
    message:
      'Pod "p1" is invalid: [spec.containers[0].imagePullPolicy: Unsupported value: "Maybe": supported values: "Always", "IfNotPresent", "Never", spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"]',
  },
  {
    // One label with both errors: Go ranges over a map in random order, so two bad labels come in either order.
    name: 'a label whose key has two slashes and whose value is too long',
    object: pod({}, { labels: { 'a/b/c': 'v'.repeat(64) } }),
    message: `Pod "p1" is invalid: [metadata.labels: Invalid value: "a/b/c": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName'), metadata.labels: Invalid value: "${'v'.repeat(64)}": must be no more than 63 characters]`,
  },
  {
    name: 'an annotation key with a bad prefix',
    object: pod({}, { annotations: { 'Example.COM_/x~y': 'v' } }),
    message: `Pod "p1" is invalid: [metadata.annotations: Invalid value: "Example.COM_/x~y": prefix part ${DNS_SUBDOMAIN}, metadata.annotations: Invalid value: "Example.COM_/x~y": ${QUALIFIED}]`,
  },
  {
    name: 'a pod name that is not a DNS subdomain',
    object: pod({}, { name: 'My_Pod' }),
    message: `Pod "My_Pod" is invalid: metadata.name: Invalid value: "My_Pod": ${DNS_SUBDOMAIN}`,
  },
  {
    name: 'an init container with a readiness probe but no restartPolicy Always',
    object: pod({ initContainers: [container({ name: 'init', readinessProbe: { exec: { command: ['true'] } } })] }),
    message:
      'Pod "p1" is invalid: spec.initContainers[0].readinessProbe: Forbidden: may not be set for init containers without restartPolicy=Always',
  },
  {
    name: 'a deployment with an empty selector',
    object: deployment({ selector: {} }),
    message:
      'Deployment.apps "d1" is invalid: spec.selector: Invalid value: {}: empty selector is invalid for deployment',
  },
  {
    name: 'a deployment whose template labels do not match its selector',
    object: deployment(podTemplate({}, { app: 'other' })),
    message:
      'Deployment.apps "d1" is invalid: spec.template.metadata.labels: Invalid value: {"app":"other"}: `selector` does not match template `labels`',
  },
  {
    name: 'a deployment with only replicas',
    object: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd1' }, spec: { replicas: 2 } },
    message:
      'Deployment.apps "d1" is invalid: [spec.selector: Required value, spec.template.metadata.labels: Invalid value: null: `selector` does not match template `labels`, spec.template.spec.containers: Required value]',
  },
  {
    name: 'a deployment with negative replicas and a pod restart policy other than Always',
    object: deployment({ replicas: -1, ...podTemplate({ restartPolicy: 'Never' }) }),
    message:
      'Deployment.apps "d1" is invalid: [spec.replicas: Invalid value: -1: must be greater than or equal to 0, spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"]',
  },
  {
    name: 'a selector expression In without values',
    object: deployment({ selector: { matchExpressions: [{ key: 'app', operator: 'In' }] } }),
    message:
      'Deployment.apps "d1" is invalid: [spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is \'In\' or \'NotIn\', spec.selector: Invalid value: {"matchExpressions":[{"key":"app","operator":"In"}]}: invalid label selector]',
  },
  {
    name: 'a rolling update with maxSurge and maxUnavailable both 0',
    object: deployment({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } } }),
    message:
      'Deployment.apps "d1" is invalid: spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0',
  },
  {
    name: 'a progress deadline not above minReadySeconds',
    object: deployment({ minReadySeconds: 30, progressDeadlineSeconds: 30 }),
    message:
      'Deployment.apps "d1" is invalid: spec.progressDeadlineSeconds: Invalid value: 30: must be greater than minReadySeconds',
  },
  {
    name: 'a Recreate strategy with rollingUpdate',
    object: deployment({ strategy: { type: 'Recreate', rollingUpdate: { maxSurge: 1 } } }),
    message:
      'Deployment.apps "d1" is invalid: spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is \'Recreate\'',
  },
  {
    name: 'a pod template with ephemeral containers',
    object: deployment(podTemplate({ ephemeralContainers: [{ name: 'dbg', image: 'busybox' }] })),
    message:
      'Deployment.apps "d1" is invalid: spec.template.spec.ephemeralContainers: Forbidden: ephemeral containers not allowed in pod template',
  },
];
