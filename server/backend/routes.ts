// The allowlist of Kubernetes API requests Porthole relays, and the strict parser that enforces it.
// Everything the browser may ask a cluster for passes through `parseClusterRequest`; anything it does not
// recognise is refused here, before any upstream connection exists.

export type StreamingSubresource = 'exec' | 'attach';

export type ApiRoute =
  | { kind: 'list-namespaces' }
  | { kind: 'list-pods'; namespace?: string }
  | { kind: 'get-pod'; namespace: string; pod: string }
  | { kind: 'stream'; subresource: StreamingSubresource; namespace: string; pod: string }
  // The debugging writes (issue 9), each only under its own method: kubectl debug's strategic-merge patch of
  // the ephemeralcontainers subresource, and the create/delete of a root-safe debug pod.
  | { kind: 'patch-ephemeral-containers'; namespace: string; pod: string }
  | { kind: 'create-pod'; namespace: string }
  | { kind: 'delete-pod'; namespace: string; pod: string };

/** The HTTP methods the pass-through relays; every one but GET belongs to exactly one debugging route. */
export type RelayedMethod = 'GET' | 'PATCH' | 'POST' | 'DELETE';

export interface ClusterRequest {
  method: RelayedMethod;
  /** The Porthole cluster name (a kubeconfig context name), decoded from its one path segment. */
  cluster: string;
  route: ApiRoute;
  /** `/api/v1/...` exactly as sent upstream (every segment validated, nothing encoded). */
  apiPath: string;
  /** The query re-encoded from the validated parameters ('' or '?...'). */
  query: string;
  /** The validated parameters in request order. */
  params: Array<[string, string]>;
}

export type RouteRefusal = { status: 400 | 403 | 404; message: string };
export type ParseResult = { ok: true; request: ClusterRequest } | ({ ok: false } & RouteRefusal);

export const CLUSTERS_PREFIX = '/clusters/';

// Kubernetes' own name rules: namespaces and container names are DNS-1123 labels; pod names are DNS-1123
// subdomains (validation.NameIsDNSSubdomain), so `my.pod` is a legal pod name.
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function isDNS1123Label(value: string): boolean {
  return value.length <= 63 && DNS1123_LABEL.test(value);
}

export function isDNS1123Subdomain(value: string): boolean {
  return value.length <= 253 && DNS1123_SUBDOMAIN.test(value);
}

const LIST_KEYS = new Set(['labelSelector', 'fieldSelector', 'limit', 'continue']);
const ATTACH_KEYS = new Set(['container', 'stdin', 'stdout', 'stderr', 'tty']);
const EXEC_KEYS = new Set([...ATTACH_KEYS, 'command']);
const MAX_COMMAND_ARGS = 256;
// C0 controls other than tab, LF and CR, and DEL: never part of a name, selector or sane argv element
// (a multi-line `sh -c` script keeps its newlines).
// eslint-disable-next-line no-control-regex
const FORBIDDEN_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

function refuse(status: RouteRefusal['status'], message: string): ParseResult {
  return { ok: false, status, message };
}

/** The apiserver's boolean query parsing (Convert_Slice_string_To_bool): absent, "0", "false" → false. */
export function kubeBool(params: Array<[string, string]>, key: string): boolean {
  const first = params.find(([k]) => k === key);
  if (!first) return false;
  const value = first[1].toLowerCase();
  return value !== '0' && value !== 'false';
}

function decodeQueryComponent(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

/** Splits `a=1&b=2` into decoded pairs; undefined when a component is not valid percent-encoding. */
function parseQuery(raw: string): Array<[string, string]> | string {
  const pairs: Array<[string, string]> = [];
  if (raw === '') return pairs;
  for (const part of raw.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const key = decodeQueryComponent(eq < 0 ? part : part.slice(0, eq));
    const value = decodeQueryComponent(eq < 0 ? '' : part.slice(eq + 1));
    if (key === undefined || value === undefined) return `query parameter "${part}" is not valid percent-encoding`;
    pairs.push([key, value]);
  }
  return pairs;
}

function encodeQuery(params: Array<[string, string]>): string {
  if (params.length === 0) return '';
  return '?' + params.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
}

/** The GET routes: reads and the exec/attach upgrades. */
function readRouteOf(segments: string[]): ApiRoute | undefined {
  const [a, b, c, d, e, ...rest] = segments;
  if (rest.length > 0) return undefined;
  if (a === 'namespaces' && b === undefined) return { kind: 'list-namespaces' };
  if (a === 'pods' && b === undefined) return { kind: 'list-pods' };
  if (a !== 'namespaces' || b === undefined || c !== 'pods') return undefined;
  if (!isDNS1123Label(b)) return undefined;
  if (d === undefined) return { kind: 'list-pods', namespace: b };
  if (!isDNS1123Subdomain(d)) return undefined;
  if (e === undefined) return { kind: 'get-pod', namespace: b, pod: d };
  if (e === 'exec' || e === 'attach') return { kind: 'stream', subresource: e, namespace: b, pod: d };
  return undefined;
}

/** The one route each write method may take: anything else under that method is refused. */
function writeRouteOf(method: Exclude<RelayedMethod, 'GET'>, segments: string[]): ApiRoute | undefined {
  const [a, b, c, d, e, ...rest] = segments;
  if (rest.length > 0 || a !== 'namespaces' || b === undefined || c !== 'pods' || !isDNS1123Label(b)) {
    return undefined;
  }
  if (method === 'POST') return d === undefined ? { kind: 'create-pod', namespace: b } : undefined;
  if (d === undefined || !isDNS1123Subdomain(d)) return undefined;
  if (method === 'DELETE') return e === undefined ? { kind: 'delete-pod', namespace: b, pod: d } : undefined;
  return e === 'ephemeralcontainers' ? { kind: 'patch-ephemeral-containers', namespace: b, pod: d } : undefined;
}

const WRITE_ROUTES: Record<Exclude<RelayedMethod, 'GET'>, string> = {
  PATCH: 'PATCH only on pods/<pod>/ephemeralcontainers',
  POST: 'POST only on namespaces/<namespace>/pods',
  DELETE: 'DELETE only on namespaces/<namespace>/pods/<pod>',
};

export function isRelayedMethod(method: string | undefined): method is RelayedMethod {
  return method === 'GET' || method === 'PATCH' || method === 'POST' || method === 'DELETE';
}

function validateParams(route: ApiRoute, params: Array<[string, string]>): RouteRefusal | undefined {
  const allowed =
    route.kind === 'stream'
      ? route.subresource === 'exec'
        ? EXEC_KEYS
        : ATTACH_KEYS
      : route.kind === 'list-namespaces' || route.kind === 'list-pods'
        ? LIST_KEYS
        : new Set<string>();
  const seen = new Set<string>();
  let commands = 0;
  for (const [key, value] of params) {
    if (!allowed.has(key)) {
      const which = allowed.size ? `allowed here: ${[...allowed].join(', ')}` : 'none are allowed here';
      return { status: 403, message: `query parameter "${key}" is not allowed (${which})` };
    }
    if (FORBIDDEN_CONTROL.test(value))
      return { status: 400, message: `query parameter "${key}" has a control character` };
    if (key === 'command') {
      if (++commands > MAX_COMMAND_ARGS)
        return { status: 400, message: `at most ${MAX_COMMAND_ARGS} command arguments` };
      continue;
    }
    if (seen.has(key)) return { status: 400, message: `query parameter "${key}" may appear only once` };
    seen.add(key);
    if (key === 'limit' && !/^[0-9]{1,9}$/.test(value)) {
      return { status: 400, message: `query parameter "limit" must be a non-negative integer, not "${value}"` };
    }
  }
  return undefined;
}

/**
 * Parses `/clusters/<cluster>/api/v1/...?...` (the raw request target, before any decoding). The cluster
 * segment is percent-decoded once (kubeconfig context names may hold `/` or `:`) and only ever used as a key;
 * every other path segment must be literally a Kubernetes name or keyword, so `..`, `%2f`, empty segments and
 * anything outside the allowlist are refused without touching the cluster.
 */
export function parseClusterRequest(rawTarget: string, method: RelayedMethod = 'GET'): ParseResult {
  if (!rawTarget.startsWith(CLUSTERS_PREFIX)) return refuse(404, 'not a cluster path');
  if (rawTarget.includes('#')) return refuse(400, 'a request target cannot carry a fragment');
  const q = rawTarget.indexOf('?');
  const path = q < 0 ? rawTarget : rawTarget.slice(0, q);
  const rawQuery = q < 0 ? '' : rawTarget.slice(q + 1);
  const [, , rawCluster = '', ...segments] = path.split('/');
  let cluster: string;
  try {
    cluster = decodeURIComponent(rawCluster);
  } catch {
    return refuse(404, `cluster segment "${rawCluster}" is not valid percent-encoding`);
  }
  if (cluster === '' || FORBIDDEN_CONTROL.test(cluster)) return refuse(404, 'missing or malformed cluster name');
  const apiPath = '/' + segments.join('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..' || s.includes('%') || s.includes('\\'))) {
    return refuse(404, `"${apiPath}" is not a Kubernetes API path Porthole relays (no empty, dot or encoded segments)`);
  }
  if (segments[0] !== 'api' || segments[1] !== 'v1') {
    return refuse(403, `Porthole relays only core/v1 namespaces and pods, not "${apiPath}"`);
  }
  const route = method === 'GET' ? readRouteOf(segments.slice(2)) : writeRouteOf(method, segments.slice(2));
  if (!route) {
    if (method !== 'GET') {
      return refuse(403, `Porthole relays ${WRITE_ROUTES[method]} (the debugging writes), not ${method} "${apiPath}"`);
    }
    return refuse(
      403,
      `Porthole relays only namespaces, pods and pods/exec|attach, not "${apiPath}" (names must be DNS-1123)`,
    );
  }
  const parsed = parseQuery(rawQuery);
  if (typeof parsed === 'string') return refuse(400, parsed);
  const bad = validateParams(route, parsed);
  if (bad) return { ok: false, ...bad };
  return { ok: true, request: { method, cluster, route, apiPath, query: encodeQuery(parsed), params: parsed } };
}
