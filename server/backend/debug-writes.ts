// The debugging writes (issue 9): the three non-GET requests the pass-through relays, what each body may say, the
// debug pods a session created (the only pods it may delete), and the record of every such write.
//
// - PATCH pods/<pod>/ephemeralcontainers, a strategic-merge patch as `kubectl debug` sends it: only
//   `spec.ephemeralContainers` (and its `$setElementOrder` directive);
// - POST namespaces/<ns>/pods: a root-safe debug pod, `spec.hostUsers: false`, no host namespaces, no hostPath
//   volume, no privileged container;
// - DELETE namespaces/<ns>/pods/<pod>: only a pod this session created through Porthole, sent with the uid
//   precondition of the pod it created (never the browser's body), so a new pod of the same name is not touched.
//
// The cluster still decides with the user's own credential (RBAC, admission, feature gates); these checks only keep
// the pass-through from being a general write proxy.

import type { ApiRoute } from './routes.ts';

export type DebugWriteRoute = Extract<
  ApiRoute,
  { kind: 'patch-ephemeral-containers' } | { kind: 'create-pod' } | { kind: 'delete-pod' }
>;

export const STRATEGIC_MERGE_PATCH = 'application/strategic-merge-patch+json';
/** Largest debugging write body accepted (a pod with copied env and volumes is a few KiB). */
export const MAX_DEBUG_BODY_BYTES = 256 * 1024;
const SET_ELEMENT_ORDER = '$setElementOrder/ephemeralContainers';

export type BodyCheck =
  { ok: true; body: Buffer; contentType: string } | { ok: false; status: 400 | 403 | 415; message: string };

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isObject(value: unknown): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

function refuse(status: 400 | 403 | 415, message: string): BodyCheck {
  return { ok: false, status, message };
}

function parse(body: Buffer): { value: unknown } | { error: string } {
  try {
    return { value: JSON.parse(body.toString('utf8')) as unknown };
  } catch (error) {
    return { error: `the body is not JSON: ${(error as Error).message}` };
  }
}

function onlyKeys(object: Record<string, Json>, allowed: string[], where: string): string | undefined {
  const extra = Object.keys(object).filter((k) => !allowed.includes(k));
  return extra.length ? `${where} may hold only ${allowed.join(', ')}, not ${extra.join(', ')}` : undefined;
}

/** kubectl debug's patch: `{"spec":{"ephemeralContainers":[…]}}`, each entry a container with a name. */
function checkEphemeralPatch(value: unknown): string | undefined {
  if (!isObject(value)) return 'the patch must be a JSON object';
  const top = onlyKeys(value, ['spec'], 'the patch');
  if (top) return top;
  const spec = value.spec;
  if (!isObject(spec)) return 'the patch must carry spec.ephemeralContainers';
  const inSpec = onlyKeys(spec, ['ephemeralContainers', SET_ELEMENT_ORDER], 'spec');
  if (inSpec) return inSpec;
  const list = spec.ephemeralContainers;
  if (!Array.isArray(list) || list.length === 0) return 'spec.ephemeralContainers must be a non-empty list';
  for (const [i, entry] of list.entries()) {
    if (!isObject(entry) || typeof entry.name !== 'string' || entry.name === '') {
      return `spec.ephemeralContainers[${i}] must be a container with a name`;
    }
    const directive = Object.keys(entry).find((k) => k.startsWith('$'));
    if (directive) return `spec.ephemeralContainers[${i}] may not carry the patch directive ${directive}`;
  }
  const order = spec[SET_ELEMENT_ORDER];
  if (
    order !== undefined &&
    (!Array.isArray(order) || !order.every((o) => isObject(o) && onlyKeys(o, ['name'], '') === undefined))
  ) {
    return `${SET_ELEMENT_ORDER} must list {"name": …} entries only`;
  }
  return undefined;
}

/** A root-safe debug pod: in a user namespace, with none of the host's namespaces, paths or privileges. */
export function debugPodProblem(value: unknown, namespace: string): string | undefined {
  if (!isObject(value)) return 'the pod must be a JSON object';
  if (value.kind !== 'Pod' || value.apiVersion !== 'v1') return 'the body must be a v1 Pod';
  const metadata = value.metadata;
  if (!isObject(metadata)) return 'the pod needs metadata';
  if (metadata.namespace !== undefined && metadata.namespace !== namespace) {
    return `metadata.namespace "${String(metadata.namespace)}" does not match the path's namespace "${namespace}"`;
  }
  const spec = value.spec;
  if (!isObject(spec)) return 'the pod needs a spec';
  if (spec.hostUsers !== false) {
    return 'a debug pod must set spec.hostUsers: false (root inside, an unprivileged user on the node)';
  }
  for (const key of ['hostNetwork', 'hostPID', 'hostIPC']) {
    if (spec[key] === true) return `a debug pod may not set spec.${key}`;
  }
  for (const [i, volume] of (Array.isArray(spec.volumes) ? spec.volumes : []).entries()) {
    if (isObject(volume) && volume.hostPath !== undefined)
      return `spec.volumes[${i}]: a debug pod may not mount a hostPath`;
  }
  for (const list of ['initContainers', 'containers', 'ephemeralContainers']) {
    const containers = spec[list];
    if (containers === undefined) continue;
    if (!Array.isArray(containers)) return `spec.${list} must be a list`;
    for (const [i, c] of containers.entries()) {
      const sc = isObject(c) && isObject(c.securityContext) ? c.securityContext : undefined;
      if (sc?.privileged === true) return `spec.${list}[${i}]: a debug pod may not run a privileged container`;
    }
  }
  return undefined;
}

/** Checks a debugging write's body and content type; DELETE's body is ignored (the backend writes its own). */
export function checkDebugBody(route: DebugWriteRoute, contentType: string | undefined, body: Buffer): BodyCheck {
  if (route.kind === 'delete-pod') return { ok: true, body: Buffer.alloc(0), contentType: 'application/json' };
  const type = mediaType(contentType);
  const wanted = route.kind === 'patch-ephemeral-containers' ? STRATEGIC_MERGE_PATCH : 'application/json';
  if (type !== wanted) return refuse(415, `this request takes Content-Type: ${wanted}, not "${type || '(none)'}"`);
  const parsed = parse(body);
  if ('error' in parsed) return refuse(400, parsed.error);
  const problem =
    route.kind === 'patch-ephemeral-containers'
      ? checkEphemeralPatch(parsed.value)
      : debugPodProblem(parsed.value, route.namespace);
  if (problem) return refuse(403, problem);
  return { ok: true, body, contentType: wanted };
}

/** The DeleteOptions the backend sends: exactly the pod it created, or nothing (409 Conflict from the cluster). */
export function deleteOptionsBody(uid: string): Buffer {
  return Buffer.from(JSON.stringify({ kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { uid } }));
}

interface CreatedPod {
  cluster: string;
  namespace: string;
  name: string;
  uid: string;
}

/** The debug pods each session created through Porthole: the only pods it may delete. */
export class DebugPods {
  private readonly bySession = new Map<string, CreatedPod[]>();

  record(sessionId: string, pod: CreatedPod): void {
    const list = this.bySession.get(sessionId) ?? [];
    list.push(pod);
    this.bySession.set(sessionId, list);
  }

  find(sessionId: string, cluster: string, namespace: string, name: string): CreatedPod | undefined {
    return this.bySession
      .get(sessionId)
      ?.find((p) => p.cluster === cluster && p.namespace === namespace && p.name === name);
  }

  forget(sessionId: string, pod: CreatedPod): void {
    const list = this.bySession.get(sessionId)?.filter((p) => p !== pod) ?? [];
    if (list.length) this.bySession.set(sessionId, list);
    else this.bySession.delete(sessionId);
  }

  forgetSession(sessionId: string): void {
    this.bySession.delete(sessionId);
  }
}

/** One debugging write, as the audit keeps it (the session by its public digest, never the cookie). */
export interface DebugWriteRecord {
  at: number;
  session: string;
  cluster: string;
  verb: 'patch' | 'create' | 'delete';
  resource: 'pods' | 'pods/ephemeralcontainers';
  namespace: string;
  /** The pod (for a create, the name the cluster gave it, when it answered). */
  name?: string;
  /** The ephemeral container names a patch added. */
  containers?: string[];
  /** The upstream status, or the backend's own refusal. */
  status: number;
  refusedBy?: 'porthole' | 'cluster';
  message?: string;
}

export function debugVerb(route: DebugWriteRoute): DebugWriteRecord['verb'] {
  return route.kind === 'patch-ephemeral-containers' ? 'patch' : route.kind === 'create-pod' ? 'create' : 'delete';
}

/** The ephemeral container names in a checked patch body (for the audit record). */
export function patchedContainerNames(body: Buffer): string[] {
  try {
    const value = JSON.parse(body.toString('utf8')) as { spec?: { ephemeralContainers?: Array<{ name?: unknown }> } };
    return (value.spec?.ephemeralContainers ?? []).map((c) => String(c.name));
  } catch {
    return [];
  }
}
