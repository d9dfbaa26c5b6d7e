// The pod spec rules of k8s.io/kubernetes pkg/apis/core/validation that a mutation most often breaks, in
// upstream's order (ValidatePodSpec: volumes, containers, init containers, then the pod-level fields), on an
// object the apiserver's defaults have already filled. Not modelled: probes, lifecycle, resources, security
// contexts, affinity, tolerations, topology spread, DNS config, ephemeral containers' own rules, pod updates.

import type { Json } from '../jsonpatch.ts';
import { duplicate, forbidden, invalid, notFound, notSupported, required, type FieldError } from './field.ts';
import { validateAnnotations, validateLabels, validateObjectMeta, dnsSubdomainName } from './meta.ts';
import { int, isObj, list, obj, present, str, type JsonObject } from './json.ts';
import {
  isDNS1123Label,
  isDNS1123Subdomain,
  isEnvVarName,
  isRelaxedEnvVarName,
  isValidPortName,
  isValidPortNum,
} from './names.ts';

export interface PodRules {
  /** Kubernetes minor version: RelaxedEnvironmentVariableValidation is on by default from 1.32. */
  minor: number;
}

/** Each volume source in validateVolumeSource's order: its JSON name and the name its field path uses. */
const VOLUME_SOURCES: [json: string, path: string][] = [
  ['emptyDir', 'emptyDir'],
  ['hostPath', 'hostPath'],
  ['gitRepo', 'gitRepo'],
  ['gcePersistentDisk', 'gcePersistentDisk'],
  ['awsElasticBlockStore', 'awsElasticBlockStore'],
  ['secret', 'secret'],
  ['nfs', 'nfs'],
  ['iscsi', 'iscsi'],
  ['glusterfs', 'glusterfs'],
  ['flocker', 'flocker'],
  ['persistentVolumeClaim', 'persistentVolumeClaim'],
  ['rbd', 'rbd'],
  ['cinder', 'cinder'],
  ['cephfs', 'cephFS'],
  ['quobyte', 'quobyte'],
  ['downwardAPI', 'downwarAPI'], // sic: upstream's path has this typo
  ['fc', 'fc'],
  ['flexVolume', 'flexVolume'],
  ['configMap', 'configMap'],
  ['azureFile', 'azureFile'],
  ['vsphereVolume', 'vsphereVolume'],
  ['photonPersistentDisk', 'photonPersistentDisk'],
  ['portworxVolume', 'portworxVolume'],
  ['azureDisk', 'azureDisk'],
  ['storageos', 'storageos'],
  ['projected', 'projected'],
  ['scaleIO', 'scaleIO'],
  ['csi', 'csi'],
  ['ephemeral', 'ephemeral'],
  ['image', 'image'],
];

const dnsLabel = (value: string, path: string): FieldError[] =>
  isDNS1123Label(value).map((m) => invalid(path, value, m));

function validateVolumeSource(volume: JsonObject, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let count = 0;
  for (const [json, at] of VOLUME_SOURCES) {
    if (!present(volume, json)) continue;
    if (count > 0) {
      errs.push(forbidden(`${path}.${at}`, 'may not specify more than 1 volume type'));
      continue;
    }
    count++;
    if (json === 'hostPath') {
      const p = str(obj(volume.hostPath).path);
      if (!p) errs.push(required(`${path}.hostPath.path`));
      else if (p.split('/').includes('..')) errs.push(invalid(`${path}.hostPath.path`, p, "must not contain '..'"));
    }
  }
  if (count === 0) errs.push(required(path, 'must specify a volume type'));
  return errs;
}

/** ValidateVolumes: the valid volumes by name, and the errors. */
function validateVolumes(volumes: Json[], path: string): { names: Set<string>; errs: FieldError[] } {
  const names = new Set<string>();
  const errs: FieldError[] = [];
  volumes.forEach((v, i) => {
    const volume = obj(v);
    const at = `${path}[${i}]`;
    const name = str(volume.name);
    const el = validateVolumeSource(volume, at);
    if (!name) el.push(required(`${at}.name`));
    else el.push(...dnsLabel(name, `${at}.name`));
    if (names.has(name)) el.push(duplicate(`${at}.name`, name));
    if (el.length === 0) names.add(name);
    else errs.push(...el);
  });
  return { names, errs };
}

function validatePorts(ports: Json[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  ports.forEach((p, i) => {
    const port = obj(p);
    const at = `${path}[${i}]`;
    const name = str(port.name);
    if (name) {
      const msgs = isValidPortName(name);
      if (msgs.length) for (const m of msgs) errs.push(invalid(`${at}.name`, name, m));
      else if (names.has(name)) errs.push(duplicate(`${at}.name`, name));
      else names.add(name);
    }
    const containerPort = int(port.containerPort);
    if (containerPort === 0) errs.push(required(`${at}.containerPort`));
    else for (const m of isValidPortNum(containerPort)) errs.push(invalid(`${at}.containerPort`, containerPort, m));
    const hostPort = int(port.hostPort);
    if (hostPort !== 0) for (const m of isValidPortNum(hostPort)) errs.push(invalid(`${at}.hostPort`, hostPort, m));
    const protocol = str(port.protocol);
    if (!protocol) errs.push(required(`${at}.protocol`));
    else if (!['SCTP', 'TCP', 'UDP'].includes(protocol))
      errs.push(notSupported(`${at}.protocol`, protocol, ['SCTP', 'TCP', 'UDP']));
  });
  return errs;
}

function validateEnv(env: Json[], path: string, rules: PodRules): FieldError[] {
  const errs: FieldError[] = [];
  env.forEach((e, i) => {
    const name = str(obj(e).name);
    const at = `${path}[${i}].name`;
    if (!name) errs.push(required(at));
    else
      for (const m of (rules.minor >= 32 ? isRelaxedEnvVarName : isEnvVarName)(name)) errs.push(invalid(at, name, m));
  });
  return errs;
}

function validateVolumeMounts(mounts: Json[], volumes: Set<string>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const paths = new Set<string>();
  mounts.forEach((m, i) => {
    const mount = obj(m);
    const at = `${path}[${i}]`;
    const name = str(mount.name);
    const mountPath = str(mount.mountPath);
    if (!name) errs.push(required(`${at}.name`));
    if (!volumes.has(name)) errs.push(notFound(`${at}.name`, name));
    if (!mountPath) errs.push(required(`${at}.mountPath`));
    if (paths.has(mountPath)) errs.push(invalid(`${at}.mountPath`, mountPath, 'must be unique'));
    paths.add(mountPath);
  });
  return errs;
}

const choice = (value: string, path: string, supported: readonly string[], sortedForMessage = supported) =>
  supported.includes(value) ? [] : value === '' ? [required(path)] : [notSupported(path, value, sortedForMessage)];

/** validateContainerCommon: what regular, init and ephemeral containers share. */
function validateContainerCommon(c: JsonObject, volumes: Set<string>, path: string, rules: PodRules): FieldError[] {
  const errs: FieldError[] = [];
  const name = str(c.name);
  if (!name) errs.push(required(`${path}.name`));
  else errs.push(...dnsLabel(name, `${path}.name`));
  if (!str(c.image)) errs.push(required(`${path}.image`));
  errs.push(
    ...choice(str(c.terminationMessagePolicy), `${path}.terminationMessagePolicy`, ['File', 'FallbackToLogsOnError']),
  );
  errs.push(...validatePorts(list(c.ports), `${path}.ports`));
  errs.push(...validateEnv(list(c.env), `${path}.env`, rules));
  errs.push(...validateVolumeMounts(list(c.volumeMounts), volumes, `${path}.volumeMounts`));
  errs.push(...choice(str(c.imagePullPolicy), `${path}.imagePullPolicy`, ['Always', 'IfNotPresent', 'Never']));
  return errs;
}

function validateContainers(containers: Json[], volumes: Set<string>, path: string, rules: PodRules): FieldError[] {
  if (containers.length === 0) return [required(path)];
  const errs: FieldError[] = [];
  const names = new Set<string>();
  containers.forEach((x, i) => {
    const c = obj(x);
    const at = `${path}[${i}]`;
    errs.push(...validateContainerCommon(c, volumes, at, rules));
    const name = str(c.name);
    if (names.has(name)) errs.push(duplicate(`${at}.name`, name));
    else names.add(name);
    if (present(c, 'restartPolicy'))
      errs.push(forbidden(`${at}.restartPolicy`, 'may not be set for non-init containers'));
  });
  return errs;
}

function validateInitContainers(
  containers: Json[],
  regular: Json[],
  volumes: Set<string>,
  path: string,
  rules: PodRules,
): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set(regular.map((c) => str(obj(c).name)));
  containers.forEach((x, i) => {
    const c = obj(x);
    const at = `${path}[${i}]`;
    errs.push(...validateContainerCommon(c, volumes, at, rules));
    const restartPolicy = present(c, 'restartPolicy') ? str(c.restartPolicy) : undefined;
    if (restartPolicy !== undefined && restartPolicy !== 'Always')
      errs.push(notSupported(`${at}.restartPolicy`, restartPolicy, ['Always']));
    const name = str(c.name);
    if (names.has(name)) errs.push(duplicate(`${at}.name`, name));
    else if (name) names.add(name);
    if (restartPolicy !== 'Always')
      for (const k of ['lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe'])
        if (present(c, k))
          errs.push(forbidden(`${at}.${k}`, 'may not be set for init containers without restartPolicy=Always'));
  });
  return errs;
}

/** ValidatePodSpec (the modelled part). */
export function validatePodSpec(spec: JsonObject, path: string, rules: PodRules): FieldError[] {
  const errs: FieldError[] = [];
  if (!present(spec, 'terminationGracePeriodSeconds')) errs.push(required(`${path}.terminationGracePeriodSeconds`));
  const { names: volumes, errs: volumeErrs } = validateVolumes(list(spec.volumes), `${path}.volumes`);
  errs.push(...volumeErrs);
  errs.push(...validateContainers(list(spec.containers), volumes, `${path}.containers`, rules));
  errs.push(
    ...validateInitContainers(
      list(spec.initContainers),
      list(spec.containers),
      volumes,
      `${path}.initContainers`,
      rules,
    ),
  );
  errs.push(...choice(str(spec.restartPolicy), `${path}.restartPolicy`, ['Always', 'OnFailure', 'Never']));
  errs.push(
    ...choice(str(spec.dnsPolicy), `${path}.dnsPolicy`, ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None']),
  );
  errs.push(...validateLabels(spec.nodeSelector, `${path}.nodeSelector`));
  for (const key of ['serviceAccountName', 'nodeName']) {
    const value = str(spec[key]);
    if (value) for (const m of isDNS1123Subdomain(value)) errs.push(invalid(`${path}.${key}`, value, m));
  }
  if (present(spec, 'activeDeadlineSeconds')) {
    const v = int(spec.activeDeadlineSeconds);
    if (v < 1 || v > 2147483647)
      errs.push(invalid(`${path}.activeDeadlineSeconds`, v, 'must be between 1 and 2147483647, inclusive'));
  }
  for (const key of ['hostname', 'subdomain']) {
    const value = str(spec[key]);
    if (value) errs.push(...dnsLabel(value, `${path}.${key}`));
  }
  return errs;
}

/** ValidatePodTemplateSpec: the template's labels and annotations, its spec, and no ephemeral containers. */
export function validatePodTemplateSpec(template: JsonObject, path: string, rules: PodRules): FieldError[] {
  const meta = obj(template.metadata);
  const spec = obj(template.spec);
  const errs = [
    ...validateLabels(meta.labels, `${path}.labels`),
    ...validateAnnotations(meta.annotations, `${path}.annotations`),
    ...validatePodSpec(spec, `${path}.spec`, rules),
  ];
  if (list(spec.ephemeralContainers).length > 0)
    errs.push(forbidden(`${path}.spec.ephemeralContainers`, 'ephemeral containers not allowed in pod template'));
  return errs;
}

/** ValidatePodCreate (the modelled part). */
export function validatePodCreate(pod: JsonObject, rules: PodRules): FieldError[] {
  const spec = obj(pod.spec);
  const errs = [...validateObjectMeta(obj(pod.metadata), dnsSubdomainName), ...validatePodSpec(spec, 'spec', rules)];
  if (list(spec.ephemeralContainers).length > 0)
    errs.push(forbidden('spec.ephemeralContainers', 'cannot be set on create'));
  return errs;
}

export { isObj };
