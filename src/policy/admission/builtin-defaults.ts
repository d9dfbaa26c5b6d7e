// The apiserver's own defaulting of the built-in kinds the admission examples use, run on the object after every
// applied mutation at level `apiserver` (the mutating dispatcher calls the scheme's defaulter there): a container,
// port, volume or field added by a mutation comes out as the apiserver would store it. Modelled: Pod and the pod
// template of a Deployment (k8s.io/kubernetes pkg/apis/core/v1 defaults.go: SetDefaults_PodSpec, _Container,
// _Volume, _HostPathVolumeSource, _ObjectFieldSelector, the `+default` ContainerPort protocol; SetDefaults_Pod's
// enableServiceLinks and limits copied to requests) and the Deployment itself (apps/v1 SetDefaults_Deployment);
// plus `resources: {}`, a struct Go always writes. Other kinds and feature-gated defaults are not modelled.

import type { Json } from './jsonpatch.ts';

type JsonObject = { [key: string]: Json };
const isObj = (v: unknown): v is JsonObject => v !== null && typeof v === 'object' && !Array.isArray(v);
const own = (o: JsonObject, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);
/** Sets `o[k]` when absent or null, as an own data property (a key named like a prototype member stays data). */
function fill(o: JsonObject, k: string, value: Json): void {
  if (own(o, k) && o[k] !== null) return;
  Object.defineProperty(o, k, { value, enumerable: true, writable: true, configurable: true });
}
const mapAt = (o: JsonObject, k: string): JsonObject | undefined => (isObj(o[k]) ? o[k] : undefined);
const listAt = (o: JsonObject, k: string): Json[] => (Array.isArray(o[k]) ? o[k] : []);

/** The object with the apiserver's defaults of its kind applied; the input is not changed. */
export function builtinDefaults(object: Json): Json {
  if (!isObj(object)) return object;
  if (object.apiVersion === 'v1' && object.kind === 'Pod') {
    const out = structuredClone(object);
    const spec = mapAt(out, 'spec');
    if (spec) {
      podSpec(spec);
      fill(spec, 'enableServiceLinks', true);
      for (const c of [...listAt(spec, 'containers'), ...listAt(spec, 'initContainers')])
        if (isObj(c)) limitsAsRequests(c);
    }
    return out;
  }
  if (object.apiVersion === 'apps/v1' && object.kind === 'Deployment') {
    const out = structuredClone(object);
    const spec = mapAt(out, 'spec');
    if (spec) {
      deployment(spec);
      const template = mapAt(spec, 'template');
      const templateSpec = template && mapAt(template, 'spec');
      if (templateSpec) podSpec(templateSpec);
    }
    return out;
  }
  return object;
}

function deployment(spec: JsonObject): void {
  fill(spec, 'replicas', 1);
  fill(spec, 'strategy', {});
  const strategy = mapAt(spec, 'strategy');
  if (strategy) {
    fill(strategy, 'type', 'RollingUpdate');
    if (strategy.type === 'RollingUpdate') {
      fill(strategy, 'rollingUpdate', {});
      const ru = mapAt(strategy, 'rollingUpdate');
      if (ru) {
        fill(ru, 'maxUnavailable', '25%');
        fill(ru, 'maxSurge', '25%');
      }
    }
  }
  fill(spec, 'revisionHistoryLimit', 10);
  fill(spec, 'progressDeadlineSeconds', 600);
}

function podSpec(spec: JsonObject): void {
  fill(spec, 'dnsPolicy', 'ClusterFirst');
  fill(spec, 'restartPolicy', 'Always');
  fill(spec, 'securityContext', {});
  fill(spec, 'terminationGracePeriodSeconds', 30);
  fill(spec, 'schedulerName', 'default-scheduler');
  for (const key of ['containers', 'initContainers', 'ephemeralContainers'])
    for (const c of listAt(spec, key)) if (isObj(c)) container(c);
  for (const v of listAt(spec, 'volumes')) if (isObj(v)) volume(v);
}

function container(c: JsonObject): void {
  if (!c.imagePullPolicy)
    c.imagePullPolicy = pullsAlways(typeof c.image === 'string' ? c.image : '') ? 'Always' : 'IfNotPresent';
  if (!c.terminationMessagePath) c.terminationMessagePath = '/dev/termination-log';
  if (!c.terminationMessagePolicy) c.terminationMessagePolicy = 'File';
  fill(c, 'resources', {});
  for (const p of listAt(c, 'ports')) if (isObj(p) && !p.protocol) p.protocol = 'TCP';
  for (const e of listAt(c, 'env')) {
    const fieldRef = isObj(e) && isObj(e.valueFrom) ? mapAt(e.valueFrom, 'fieldRef') : undefined;
    if (fieldRef && !fieldRef.apiVersion) fieldRef.apiVersion = 'v1';
  }
}

/**
 * SetDefaults_Container's pull policy: `Always` for the tag `latest`, which a reference without tag or digest has
 * too; `IfNotPresent` otherwise, also for a reference that does not parse (empty, upper case or other characters a
 * repository path may not have). A first component with `.` or `:`, `localhost` or upper case is the registry.
 */
function pullsAlways(image: string): boolean {
  const [name = '', ...digest] = image.split('@');
  const slash = name.indexOf('/');
  const first = slash < 0 ? '' : name.slice(0, slash);
  const registry = slash >= 0 && (/[.:]/.test(first) || first === 'localhost' || first !== first.toLowerCase());
  const rest = registry ? name.slice(slash + 1) : name;
  const colon = rest.lastIndexOf(':');
  const path = colon >= 0 ? rest.slice(0, colon) : rest;
  const tag = colon >= 0 ? rest.slice(colon + 1) : '';
  if (!path || /[^a-z0-9._/-]/.test(path)) return false;
  return tag === 'latest' || (tag === '' && digest.length === 0);
}

/** A volume with no source gets an emptyDir; a hostPath gets the unset type `""`. */
function volume(v: JsonObject): void {
  const sources = Object.keys(v).filter((k) => k !== 'name' && v[k] !== null);
  if (sources.length === 0) v.emptyDir = {};
  const hostPath = mapAt(v, 'hostPath');
  if (hostPath) fill(hostPath, 'type', '');
}

/** SetDefaults_Pod: every limit without a request becomes the request too (containers and init containers). */
function limitsAsRequests(c: JsonObject): void {
  const resources = mapAt(c, 'resources');
  const limits = resources && mapAt(resources, 'limits');
  if (!resources || !limits) return;
  fill(resources, 'requests', {});
  const requests = mapAt(resources, 'requests');
  if (requests) for (const [k, q] of Object.entries(limits)) fill(requests, k, q);
}
