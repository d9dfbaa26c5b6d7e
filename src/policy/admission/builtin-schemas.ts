// Hand-written schema fragments of a few built-in kinds (Pod, Deployment, Service, ConfigMap, Endpoints,
// Namespace), taken from the markers in k8s.io/api v0.34 (`+listType`, `+listMapKey`, `patchMergeKey`,
// `+structType=atomic`, `+mapType=atomic`). Fields not listed are unknown to the merge ("field not declared in
// schema"). To be replaced by the generated OpenAPI schemas (src/k8s/openapi) when they land.

import {
  atomicList,
  atomicStruct,
  bool,
  deduced,
  mapList,
  mapOf,
  num,
  setList,
  str,
  struct,
  untyped,
  type GroupVersionKind,
  type Schema,
  type SchemaSource,
} from './schema.ts';

const strings = atomicList(str);
const labels = mapOf(str);

const managedFieldsEntry = struct({
  manager: str,
  operation: str,
  apiVersion: str,
  time: untyped,
  fieldsType: str,
  fieldsV1: deduced,
  subresource: str,
});

// ownerReferences: list-map keyed by uid whose items are atomic structs.
const ownerReference = atomicStruct({
  apiVersion: str,
  kind: str,
  name: str,
  uid: str,
  controller: bool,
  blockOwnerDeletion: bool,
});

export const objectMeta: Schema = struct({
  name: str,
  generateName: str,
  namespace: str,
  selfLink: str,
  uid: str,
  resourceVersion: str,
  generation: num,
  creationTimestamp: untyped,
  deletionTimestamp: untyped,
  deletionGracePeriodSeconds: num,
  labels,
  annotations: labels,
  ownerReferences: mapList(ownerReference, 'uid'),
  finalizers: setList(str),
  managedFields: atomicList(managedFieldsEntry),
});

const typeMeta = { apiVersion: str, kind: str };

const labelSelectorRequirement = struct({ key: str, operator: str, values: strings });
const labelSelector = atomicStruct({ matchLabels: labels, matchExpressions: atomicList(labelSelectorRequirement) });

const objectFieldSelector = atomicStruct({ apiVersion: str, fieldPath: str });
const resourceFieldSelector = atomicStruct({ containerName: str, resource: str, divisor: untyped });
const keySelector = atomicStruct({ name: str, key: str, optional: bool });
const envVar = struct({
  name: str,
  value: str,
  valueFrom: struct({
    fieldRef: objectFieldSelector,
    resourceFieldRef: resourceFieldSelector,
    configMapKeyRef: keySelector,
    secretKeyRef: keySelector,
    fileKeyRef: atomicStruct({ volumeName: str, path: str, key: str, optional: bool }),
  }),
});
const envFromSource = struct({
  prefix: str,
  configMapRef: atomicStruct({ name: str, optional: bool }),
  secretRef: atomicStruct({ name: str, optional: bool }),
});
const containerPort = struct(
  { name: str, hostPort: num, containerPort: num, protocol: str, hostIP: str },
  { defaults: { protocol: 'TCP' } },
);
const resources = struct({
  limits: mapOf(untyped),
  requests: mapOf(untyped),
  claims: mapList(struct({ name: str, request: str }), 'name'),
});
const volumeMount = struct({
  name: str,
  readOnly: bool,
  recursiveReadOnly: str,
  mountPath: str,
  subPath: str,
  mountPropagation: str,
  subPathExpr: str,
});
const execAction = struct({ command: strings });
const httpGet = struct({
  path: str,
  port: untyped,
  host: str,
  scheme: str,
  httpHeaders: atomicList(struct({ name: str, value: str })),
});
const handler = {
  exec: execAction,
  httpGet,
  tcpSocket: struct({ port: untyped, host: str }),
  grpc: struct({ port: num, service: str }),
};
const probe = struct({
  ...handler,
  initialDelaySeconds: num,
  timeoutSeconds: num,
  periodSeconds: num,
  successThreshold: num,
  failureThreshold: num,
  terminationGracePeriodSeconds: num,
});
const lifecycleHandler = struct({
  exec: execAction,
  httpGet,
  tcpSocket: struct({ port: untyped, host: str }),
  sleep: struct({ seconds: num }),
});
const securityContext = struct({
  capabilities: struct({ add: strings, drop: strings }),
  privileged: bool,
  seLinuxOptions: struct({ user: str, role: str, type: str, level: str }),
  windowsOptions: struct({
    gmsaCredentialSpecName: str,
    gmsaCredentialSpec: str,
    runAsUserName: str,
    hostProcess: bool,
  }),
  runAsUser: num,
  runAsGroup: num,
  runAsNonRoot: bool,
  readOnlyRootFilesystem: bool,
  allowPrivilegeEscalation: bool,
  procMount: str,
  seccompProfile: struct({ type: str, localhostProfile: str }),
  appArmorProfile: struct({ type: str, localhostProfile: str }),
});
const container = struct({
  name: str,
  image: str,
  command: strings,
  args: strings,
  workingDir: str,
  ports: mapList(containerPort, 'containerPort', 'protocol'),
  envFrom: atomicList(envFromSource),
  env: mapList(envVar, 'name'),
  resources,
  resizePolicy: atomicList(struct({ resourceName: str, restartPolicy: str })),
  restartPolicy: str,
  volumeMounts: mapList(volumeMount, 'mountPath'),
  volumeDevices: mapList(struct({ name: str, devicePath: str }), 'devicePath'),
  livenessProbe: probe,
  readinessProbe: probe,
  startupProbe: probe,
  lifecycle: struct({ postStart: lifecycleHandler, preStop: lifecycleHandler, stopSignal: str }),
  terminationMessagePath: str,
  terminationMessagePolicy: str,
  imagePullPolicy: str,
  securityContext,
  stdin: bool,
  stdinOnce: bool,
  tty: bool,
  targetContainerName: str,
});
const keyToPath = struct({ key: str, path: str, mode: num });
const volume = struct({
  name: str,
  hostPath: struct({ path: str, type: str }),
  emptyDir: struct({ medium: str, sizeLimit: untyped }),
  secret: struct({ secretName: str, items: atomicList(keyToPath), defaultMode: num, optional: bool }),
  configMap: struct({ name: str, items: atomicList(keyToPath), defaultMode: num, optional: bool }),
  persistentVolumeClaim: struct({ claimName: str, readOnly: bool }),
  projected: struct({ sources: atomicList(deduced), defaultMode: num }),
  downwardAPI: struct({ items: atomicList(deduced), defaultMode: num }),
  csi: struct({
    driver: str,
    readOnly: bool,
    fsType: str,
    volumeAttributes: labels,
    nodePublishSecretRef: atomicStruct({ name: str }),
  }),
  ephemeral: struct({ volumeClaimTemplate: deduced }),
  nfs: struct({ server: str, path: str, readOnly: bool }),
  image: struct({ reference: str, pullPolicy: str }),
});
const toleration = struct({ key: str, operator: str, value: str, effect: str, tolerationSeconds: num });
const podSecurityContext = struct({
  seLinuxOptions: struct({ user: str, role: str, type: str, level: str }),
  runAsUser: num,
  runAsGroup: num,
  runAsNonRoot: bool,
  supplementalGroups: strings,
  supplementalGroupsPolicy: str,
  fsGroup: num,
  fsGroupChangePolicy: str,
  sysctls: atomicList(struct({ name: str, value: str })),
  seccompProfile: struct({ type: str, localhostProfile: str }),
  appArmorProfile: struct({ type: str, localhostProfile: str }),
  seLinuxChangePolicy: str,
});
const nodeSelectorRequirement = struct({ key: str, operator: str, values: strings });
const nodeSelectorTerm = atomicStruct({
  matchExpressions: atomicList(nodeSelectorRequirement),
  matchFields: atomicList(nodeSelectorRequirement),
});
const podAffinityTerm = struct({
  labelSelector,
  namespaces: strings,
  topologyKey: str,
  namespaceSelector: labelSelector,
  matchLabelKeys: strings,
  mismatchLabelKeys: strings,
});
const podAffinity = struct({
  requiredDuringSchedulingIgnoredDuringExecution: atomicList(podAffinityTerm),
  preferredDuringSchedulingIgnoredDuringExecution: atomicList(struct({ weight: num, podAffinityTerm })),
});
const affinity = struct({
  nodeAffinity: struct({
    requiredDuringSchedulingIgnoredDuringExecution: atomicStruct({ nodeSelectorTerms: atomicList(nodeSelectorTerm) }),
    preferredDuringSchedulingIgnoredDuringExecution: atomicList(struct({ weight: num, preference: nodeSelectorTerm })),
  }),
  podAffinity,
  podAntiAffinity: podAffinity,
});
export const podSpec: Schema = struct({
  volumes: mapList(volume, 'name'),
  initContainers: mapList(container, 'name'),
  containers: mapList(container, 'name'),
  ephemeralContainers: mapList(container, 'name'),
  restartPolicy: str,
  terminationGracePeriodSeconds: num,
  activeDeadlineSeconds: num,
  dnsPolicy: str,
  nodeSelector: mapOf(str, true),
  serviceAccountName: str,
  serviceAccount: str,
  automountServiceAccountToken: bool,
  nodeName: str,
  hostNetwork: bool,
  hostPID: bool,
  hostIPC: bool,
  shareProcessNamespace: bool,
  securityContext: podSecurityContext,
  imagePullSecrets: mapList(atomicStruct({ name: str }), 'name'),
  hostname: str,
  subdomain: str,
  affinity,
  schedulerName: str,
  tolerations: atomicList(toleration),
  hostAliases: mapList(struct({ ip: str, hostnames: strings }), 'ip'),
  priorityClassName: str,
  priority: num,
  dnsConfig: struct({
    nameservers: strings,
    searches: strings,
    options: atomicList(struct({ name: str, value: str })),
  }),
  readinessGates: atomicList(struct({ conditionType: str })),
  runtimeClassName: str,
  enableServiceLinks: bool,
  preemptionPolicy: str,
  overhead: mapOf(untyped),
  topologySpreadConstraints: mapList(
    struct({
      maxSkew: num,
      topologyKey: str,
      whenUnsatisfiable: str,
      labelSelector,
      minDomains: num,
      nodeAffinityPolicy: str,
      nodeTaintsPolicy: str,
      matchLabelKeys: strings,
    }),
    'topologyKey',
    'whenUnsatisfiable',
  ),
  setHostnameAsFQDN: bool,
  os: struct({ name: str }),
  hostUsers: bool,
  schedulingGates: mapList(struct({ name: str }), 'name'),
  resourceClaims: mapList(struct({ name: str, resourceClaimName: str, resourceClaimTemplateName: str }), 'name'),
  resources,
});
const condition = (extra: Record<string, Schema> = {}) =>
  struct({
    type: str,
    status: str,
    lastTransitionTime: untyped,
    lastUpdateTime: untyped,
    lastProbeTime: untyped,
    reason: str,
    message: str,
    observedGeneration: num,
    ...extra,
  });
const podTemplate = struct({ metadata: objectMeta, spec: podSpec });

const pod = struct({
  ...typeMeta,
  metadata: objectMeta,
  spec: podSpec,
  status: struct({
    phase: str,
    conditions: mapList(condition(), 'type'),
    message: str,
    reason: str,
    hostIP: str,
    podIP: str,
    podIPs: mapList(struct({ ip: str }), 'ip'),
    startTime: untyped,
    qosClass: str,
    containerStatuses: atomicList(deduced),
    initContainerStatuses: atomicList(deduced),
    ephemeralContainerStatuses: atomicList(deduced),
  }),
});

const deployment = struct({
  ...typeMeta,
  metadata: objectMeta,
  spec: struct({
    replicas: num,
    selector: labelSelector,
    template: podTemplate,
    strategy: struct({ type: str, rollingUpdate: struct({ maxUnavailable: untyped, maxSurge: untyped }) }),
    minReadySeconds: num,
    revisionHistoryLimit: num,
    paused: bool,
    progressDeadlineSeconds: num,
  }),
  status: struct({
    observedGeneration: num,
    replicas: num,
    updatedReplicas: num,
    readyReplicas: num,
    availableReplicas: num,
    unavailableReplicas: num,
    terminatingReplicas: num,
    conditions: mapList(condition(), 'type'),
    collisionCount: num,
  }),
});

const servicePort = struct(
  { name: str, protocol: str, appProtocol: str, port: num, targetPort: untyped, nodePort: num },
  { defaults: { protocol: 'TCP' } },
);
const service = struct({
  ...typeMeta,
  metadata: objectMeta,
  spec: struct({
    ports: mapList(servicePort, 'port', 'protocol'),
    selector: mapOf(str, true),
    clusterIP: str,
    clusterIPs: atomicList(str),
    type: str,
    externalIPs: atomicList(str),
    sessionAffinity: str,
    loadBalancerIP: str,
    loadBalancerSourceRanges: atomicList(str),
    externalName: str,
    externalTrafficPolicy: str,
    healthCheckNodePort: num,
    publishNotReadyAddresses: bool,
    sessionAffinityConfig: struct({ clientIP: struct({ timeoutSeconds: num }) }),
    ipFamilies: atomicList(str),
    ipFamilyPolicy: str,
    allocateLoadBalancerNodePorts: bool,
    loadBalancerClass: str,
    internalTrafficPolicy: str,
    trafficDistribution: str,
  }),
  status: struct({ loadBalancer: deduced, conditions: mapList(condition(), 'type') }),
});

const configMap = struct({
  ...typeMeta,
  metadata: objectMeta,
  immutable: bool,
  data: labels,
  binaryData: mapOf(str),
});

const endpoints = struct({ ...typeMeta, metadata: objectMeta, subsets: atomicList(deduced) });

const namespace = struct({
  ...typeMeta,
  metadata: objectMeta,
  spec: struct({ finalizers: atomicList(str) }),
  status: struct({ phase: str, conditions: mapList(condition(), 'type') }),
});

const BUILTIN: Record<string, Schema> = {
  '/v1/Pod': pod,
  '/v1/Service': service,
  '/v1/ConfigMap': configMap,
  '/v1/Endpoints': endpoints,
  '/v1/Namespace': namespace,
  'apps/v1/Deployment': deployment,
};

/** The hand-written fragments, the same for every Kubernetes version. */
export const builtinSchemas: SchemaSource = {
  schemaFor(_version: string, gvk: GroupVersionKind): Schema | undefined {
    return BUILTIN[`${gvk.group}/${gvk.version}/${gvk.kind}`];
  },
};

/** Whether the kind is a built-in type (decoded strictly after a JSON patch). */
export const isBuiltin = (gvk: GroupVersionKind): boolean => `${gvk.group}/${gvk.version}/${gvk.kind}` in BUILTIN;
