// The admission page's examples: realistic policies with the objects they act on. MutatingAdmissionPolicy
// examples use admissionregistration.k8s.io/v1alpha1, the one version every release with the kind serves
// (1.32–1.34; 1.34 adds v1beta1 with the same fields).

import type { PlaygroundExample } from '../examples.ts';

const MAP = 'admissionregistration.k8s.io/v1alpha1';
const VAP = 'admissionregistration.k8s.io/v1';

const developer = `operation: CREATE
userInfo:
  username: jane@example.com
  groups: [developers, system:authenticated]
`;

const shopNamespace = `apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels:
    kubernetes.io/metadata.name: shop
    sidecar-injection: enabled
    team: payments
`;

const pod = (extra = '', image = 'registry.example.com/shop/web:1.4.2') => `apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: shop
  labels:
    app: web
  annotations:
    example.com/owner: payments
spec:${extra}
  containers:
  - name: web
    image: ${image}
    imagePullPolicy: IfNotPresent
    ports:
    - containerPort: 8080
`;

const podRule = (operations = '["CREATE"]') => `  matchConstraints:
    resourceRules:
    - apiGroups: [""]
      apiVersions: ["v1"]
      operations: ${operations}
      resources: ["pods"]`;

const empty = { params: '', oldObject: '' };

export const ADMISSION_EXAMPLES: readonly PlaygroundExample[] = [
  {
    id: 'sidecar',
    title: 'Sidecar injection',
    summary:
      'A MutatingAdmissionPolicy appends a log-shipper container to pods in namespaces labelled sidecar-injection=enabled; the diff shows it added after the app container.',
    docs: {
      ...empty,
      policy: `apiVersion: ${MAP}
kind: MutatingAdmissionPolicy
metadata:
  name: inject-log-shipper
spec:
${podRule()}
  matchConditions:
  - name: not-yet-injected
    expression: '!object.spec.containers.exists(c, c.name == "log-shipper")'
  failurePolicy: Fail
  reinvocationPolicy: IfNeeded
  mutations:
  - patchType: ApplyConfiguration
    applyConfiguration:
      expression: >
        Object{
          spec: Object.spec{
            containers: [
              Object.spec.containers{
                name: "log-shipper",
                image: "registry.example.com/tools/log-shipper:2.1",
                resources: Object.spec.containers.resources{
                  limits: {"cpu": "100m", "memory": "64Mi"}
                }
              }
            ]
          }
        }
`,
      binding: `apiVersion: ${MAP}
kind: MutatingAdmissionPolicyBinding
metadata:
  name: inject-log-shipper
spec:
  policyName: inject-log-shipper
  matchResources:
    namespaceSelector:
      matchLabels:
        sidecar-injection: enabled
`,
      object: pod(),
      namespace: shopNamespace,
      request: developer,
    },
    options: {},
  },
  {
    id: 'docs-sidecar-args',
    title: 'The docs sidecar: atomic args',
    summary:
      "The Kubernetes docs' sidecar example adds an init container with args; args is an atomic list, so server-side apply refuses to merge it and the pod is denied (use JSONPatch for atomic fields).",
    docs: {
      ...empty,
      policy: `apiVersion: ${MAP}
kind: MutatingAdmissionPolicy
metadata:
  name: sidecar-policy.example.com
spec:
${podRule()}
  matchConditions:
  - name: does-not-already-have-sidecar
    expression: '!object.spec.initContainers.exists(ic, ic.name == "mesh-proxy")'
  failurePolicy: Fail
  reinvocationPolicy: IfNeeded
  mutations:
  - patchType: ApplyConfiguration
    applyConfiguration:
      expression: >
        Object{
          spec: Object.spec{
            initContainers: [
              Object.spec.initContainers{
                name: "mesh-proxy",
                image: "mesh/proxy:v1.0.0",
                args: ["proxy", "sidecar"],
                restartPolicy: "Always"
              }
            ]
          }
        }
`,
      binding: `apiVersion: ${MAP}
kind: MutatingAdmissionPolicyBinding
metadata:
  name: sidecar-binding-test.example.com
spec:
  policyName: sidecar-policy.example.com
  matchResources:
    namespaceSelector:
      matchLabels:
        sidecar-injection: enabled
`,
      object: pod(`
  initContainers:
  - name: setup
    image: registry.example.com/shop/setup:1.0
    command: ["/setup"]`),
      namespace: shopNamespace,
      request: developer,
    },
    options: {},
  },
  {
    id: 'label-default',
    title: 'Default a label from the namespace',
    summary:
      "Sets the pod's team label from its namespace's team label, only when the pod has none (an optional map entry: a merge would otherwise overwrite it).",
    docs: {
      ...empty,
      policy: `apiVersion: ${MAP}
kind: MutatingAdmissionPolicy
metadata:
  name: default-team-label
spec:
${podRule('["CREATE", "UPDATE"]')}
  failurePolicy: Fail
  reinvocationPolicy: Never
  mutations:
  - patchType: ApplyConfiguration
    applyConfiguration:
      expression: >
        Object{
          metadata: Object.metadata{
            labels: {
              ?"team": object.metadata.?labels["team"].hasValue()
                ? optional.none()
                : namespaceObject.metadata.?labels["team"]
            }
          }
        }
`,
      binding: `apiVersion: ${MAP}
kind: MutatingAdmissionPolicyBinding
metadata:
  name: default-team-label
spec:
  policyName: default-team-label
`,
      object: pod(),
      namespace: shopNamespace,
      request: developer,
    },
    options: {},
  },
  {
    id: 'jsonpatch',
    title: 'JSONPatch with an escaped key',
    summary:
      'Adds the annotation policy.example.com/scanned-by (jsonpatch.escapeKey turns its / into ~1) and replaces the first container’s imagePullPolicy with Always.',
    docs: {
      ...empty,
      policy: `apiVersion: ${MAP}
kind: MutatingAdmissionPolicy
metadata:
  name: mark-scanned
spec:
${podRule()}
  failurePolicy: Fail
  reinvocationPolicy: Never
  mutations:
  - patchType: JSONPatch
    jsonPatch:
      expression: >
        [
          JSONPatch{
            op: "add",
            path: "/metadata/annotations/" + jsonpatch.escapeKey("policy.example.com/scanned-by"),
            value: "porthole"
          },
          JSONPatch{
            op: "replace",
            path: "/spec/containers/0/imagePullPolicy",
            value: "Always"
          }
        ]
`,
      binding: `apiVersion: ${MAP}
kind: MutatingAdmissionPolicyBinding
metadata:
  name: mark-scanned
spec:
  policyName: mark-scanned
`,
      object: pod(),
      namespace: shopNamespace,
      request: developer,
    },
    options: {},
  },
  {
    id: 'trusted-registry',
    title: 'Images from a trusted registry (VAP)',
    summary:
      'A ValidatingAdmissionPolicy lists the images not from registry.example.com in a variable and denies the pod with a message naming them (403 Forbidden).',
    docs: {
      ...empty,
      policy: `apiVersion: ${VAP}
kind: ValidatingAdmissionPolicy
metadata:
  name: trusted-registry
spec:
  failurePolicy: Fail
${podRule('["CREATE", "UPDATE"]')}
  variables:
  - name: images
    expression: >
      object.spec.containers.map(c, c.image) +
      (has(object.spec.initContainers) ? object.spec.initContainers.map(c, c.image) : [])
  - name: untrusted
    expression: 'variables.images.filter(i, !i.startsWith("registry.example.com/"))'
  validations:
  - expression: size(variables.untrusted) == 0
    messageExpression: '"images must come from registry.example.com, not: " + variables.untrusted.join(", ")'
    reason: Forbidden
`,
      binding: `apiVersion: ${VAP}
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: trusted-registry
spec:
  policyName: trusted-registry
  validationActions: [Deny]
`,
      object: pod('', 'docker.io/library/nginx:1.27'),
      namespace: shopNamespace,
      request: developer,
    },
    options: {},
  },
  {
    id: 'replicas-limit',
    title: 'Replicas limit from params (VAP)',
    summary:
      "A ValidatingAdmissionPolicy reads the namespace's limit from a ConfigMap (paramKind, paramRef by name) and denies a Deployment of 5 replicas over a limit of 3 (422 Invalid).",
    docs: {
      policy: `apiVersion: ${VAP}
kind: ValidatingAdmissionPolicy
metadata:
  name: replica-limit
spec:
  failurePolicy: Fail
  paramKind:
    apiVersion: v1
    kind: ConfigMap
  matchConstraints:
    resourceRules:
    - apiGroups: ["apps"]
      apiVersions: ["v1"]
      operations: ["CREATE", "UPDATE"]
      resources: ["deployments"]
  validations:
  - expression: object.spec.replicas <= int(params.data.maxReplicas)
    messageExpression: '"replicas must be at most " + params.data.maxReplicas + ", got " + string(object.spec.replicas)'
`,
      binding: `apiVersion: ${VAP}
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: replica-limit
spec:
  policyName: replica-limit
  validationActions: [Deny]
  paramRef:
    name: replica-limits
    parameterNotFoundAction: Deny
`,
      params: `apiVersion: v1
kind: ConfigMap
metadata:
  name: replica-limits
  namespace: shop
data:
  maxReplicas: "3"
`,
      object: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 5
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: registry.example.com/shop/web:1.4.2
`,
      oldObject: '',
      namespace: shopNamespace,
      request: developer,
    },
    options: {},
  },
];
