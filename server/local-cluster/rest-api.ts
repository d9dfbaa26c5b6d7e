// The REST reads the local cluster serves — discovery, namespaces, pods — and the plain (non-upgrade) GET on
// exec/attach, answering with the apiserver's JSON, Table output for kubectl, and its Status errors.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { goJson } from './go-json.ts';
import { API_GROUP_LIST, apiVersions, CORE_V1_RESOURCES, SERVER_VERSION } from './discovery.ts';
import { namespaceObject, podObject, podPhase, NODE_NAME, type NamespaceRecord } from './objects.ts';
import type { PodRuntime, PodRuntimeManager } from './pod-runtime.ts';
import { parseFieldSelector, parseLabelSelector } from './selectors.ts';
import {
  apiHeaders,
  badRequest,
  jsonBody,
  methodNotAllowed,
  notFound,
  resourceNotFound,
  StatusError,
} from './status.ts';
import { parseStreamRequest } from './stream-request.ts';
import { namespaceTable, podTable, type RowObject } from './tables.ts';

export interface ApiState {
  runtime: PodRuntimeManager;
  namespaces: NamespaceRecord[];
  confined: boolean;
  serverAddress: string;
}

/** Paths readable without credentials, as system:public-info-viewer allows on a real cluster. */
export const PUBLIC_PATHS = new Set(['/version', '/healthz', '/livez', '/readyz']);

export type Route =
  | { kind: 'static'; body: unknown }
  | { kind: 'text'; body: string }
  | { kind: 'version' }
  | { kind: 'namespaces' }
  | { kind: 'namespace'; name: string }
  | { kind: 'pods'; namespace: string | null }
  | { kind: 'pod'; namespace: string; name: string }
  | { kind: 'stream'; namespace: string; name: string; subresource: 'exec' | 'attach' }
  | { kind: 'ephemeralcontainers'; namespace: string; name: string };

export function route(pathname: string, state: ApiState): Route | null {
  const path = pathname.replace(/\/+$/, '') || '/';
  if (path === '/version') return { kind: 'version' };
  if (path === '/healthz' || path === '/livez' || path === '/readyz') return { kind: 'text', body: 'ok' };
  if (path === '/api') return { kind: 'static', body: apiVersions(state.serverAddress) };
  if (path === '/apis') return { kind: 'static', body: API_GROUP_LIST };
  if (path === '/api/v1') return { kind: 'static', body: CORE_V1_RESOURCES };
  let parts: string[];
  try {
    parts = path.split('/').slice(1).map(decodeURIComponent);
  } catch {
    return null; // a malformed %-escape names nothing we serve
  }
  if (parts[0] !== 'api' || parts[1] !== 'v1') return null;
  const rest = parts.slice(2);
  if (rest.length === 1 && rest[0] === 'pods') return { kind: 'pods', namespace: null };
  if (rest[0] !== 'namespaces') return null;
  if (rest.length === 1) return { kind: 'namespaces' };
  const namespace = rest[1]!;
  if (rest.length === 2) return { kind: 'namespace', name: namespace };
  if (rest[2] !== 'pods') return null;
  if (rest.length === 3) return { kind: 'pods', namespace };
  if (rest.length === 4) return { kind: 'pod', namespace, name: rest[3]! };
  if (rest.length === 5 && (rest[4] === 'exec' || rest[4] === 'attach')) {
    return { kind: 'stream', namespace, name: rest[3]!, subresource: rest[4] };
  }
  if (rest.length === 5 && rest[4] === 'ephemeralcontainers')
    return { kind: 'ephemeralcontainers', namespace, name: rest[3]! };
  return null;
}

/** A pod for a streaming request, validated as the apiserver does before any upgrade (404, 400). */
export function streamTarget(state: ApiState, r: Extract<Route, { kind: 'stream' }>, query: URLSearchParams) {
  const pod = state.runtime.findPod(r.namespace, r.name);
  if (!pod) throw notFound('pods', r.name);
  return { pod, request: parseStreamRequest(r.subresource, query, pod) };
}

function sendJson(response: ServerResponse, code: number, body: unknown): void {
  const text = jsonBody(goJson(body));
  response.writeHead(code, apiHeaders('application/json', Buffer.byteLength(text)));
  response.end(text);
}

/** /version is written with json.MarshalIndent and no newline (WriteRawJSON), unlike API objects. */
function sendIndentedJson(response: ServerResponse, body: unknown): void {
  const text = JSON.stringify(body, null, 2);
  response.writeHead(200, apiHeaders('application/json', Buffer.byteLength(text)));
  response.end(text);
}

/** Go's mux answer for paths outside the API. */
export function sendPageNotFound(response: ServerResponse): void {
  const text = '404 page not found\n';
  response.writeHead(
    404,
    apiHeaders('text/plain; charset=utf-8', Buffer.byteLength(text), { 'X-Content-Type-Options': 'nosniff' }),
  );
  response.end(text);
}

function wantsTable(request: IncomingMessage): boolean {
  return /(^|[;,\s])as=Table/.test(request.headers.accept ?? '');
}

function rowObject(query: URLSearchParams): RowObject {
  const value = query.get('includeObject') ?? 'Metadata';
  if (value !== 'None' && value !== 'Metadata' && value !== 'Object') {
    throw badRequest(`invalid includeObject: "${value}"`);
  }
  return value;
}

/** limit/continue paging; the continue token is opaque to clients (base64 of an offset here). */
function page<T>(items: T[], query: URLSearchParams): { items: T[]; continue?: string; remainingItemCount?: number } {
  let offset = 0;
  const token = query.get('continue');
  if (token) {
    const decoded = /^\d+$/.test(Buffer.from(token, 'base64url').toString())
      ? Number(Buffer.from(token, 'base64url').toString())
      : NaN;
    if (!Number.isInteger(decoded) || decoded < 0)
      throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
    offset = decoded;
  }
  const limitText = query.get('limit');
  const limit = limitText && /^\d+$/.test(limitText) ? Number(limitText) : 0;
  if (limit <= 0 || offset + limit >= items.length) return { items: items.slice(offset) };
  return {
    items: items.slice(offset, offset + limit),
    continue: Buffer.from(String(offset + limit)).toString('base64url'),
    remainingItemCount: items.length - offset - limit,
  };
}

function listBody(kind: string, resourceVersion: number, paged: ReturnType<typeof page<Record<string, unknown>>>) {
  const metadata: Record<string, unknown> = { resourceVersion: String(resourceVersion) };
  if (paged.continue) metadata.continue = paged.continue;
  if (paged.remainingItemCount !== undefined) metadata.remainingItemCount = paged.remainingItemCount;
  // List items carry no kind/apiVersion of their own.
  const items = paged.items.map(({ kind: _kind, apiVersion: _apiVersion, ...rest }) => rest);
  return { kind, apiVersion: 'v1', metadata, items };
}

const POD_FIELDS = ['metadata.name', 'metadata.namespace', 'spec.nodeName', 'spec.restartPolicy', 'status.phase'];

function podFields(pod: PodRuntime): Record<string, string> {
  return {
    'metadata.name': pod.config.name,
    'metadata.namespace': pod.config.namespace,
    'spec.nodeName': NODE_NAME,
    'spec.restartPolicy': 'Always',
    'status.phase': podPhase(pod),
  };
}

export function serveRest(
  request: IncomingMessage,
  response: ServerResponse,
  state: ApiState,
  url: URL,
  r: Route,
): void {
  const query = url.searchParams;
  if (r.kind === 'stream') {
    if (request.method !== 'GET' && request.method !== 'POST') throw methodNotAllowed();
    streamTarget(state, r, query);
    throw badRequest('Upgrade request required');
  }
  if (request.method !== 'GET') throw methodNotAllowed();
  const rv = state.runtime.currentResourceVersion;
  if (r.kind === 'ephemeralcontainers') {
    const pod = state.runtime.findPod(r.namespace, r.name);
    if (!pod) throw notFound('pods', r.name);
    return sendJson(response, 200, podObject(pod, state.confined));
  }
  switch (r.kind) {
    case 'static':
      return sendJson(response, 200, r.body);
    case 'version':
      return sendIndentedJson(response, SERVER_VERSION);
    case 'text':
      response.writeHead(
        200,
        apiHeaders('text/plain; charset=utf-8', Buffer.byteLength(r.body), { 'X-Content-Type-Options': 'nosniff' }),
      );
      response.end(r.body);
      return;
    case 'namespaces':
    case 'namespace': {
      const fieldMatch = parseFieldSelector(query.get('fieldSelector'), ['metadata.name', 'status.phase']);
      const labelMatch = parseLabelSelector(query.get('labelSelector'));
      const records = state.namespaces.filter(
        (ns) =>
          (r.kind === 'namespaces' || ns.name === r.name) &&
          fieldMatch({ 'metadata.name': ns.name, 'status.phase': 'Active' }) &&
          labelMatch({ 'kubernetes.io/metadata.name': ns.name }),
      );
      if (r.kind === 'namespace' && records.length === 0) throw notFound('namespaces', r.name);
      const rows = records.map((record) => ({ record, object: namespaceObject(record) }));
      if (wantsTable(request)) return sendJson(response, 200, namespaceTable(rows, rv, rowObject(query)));
      if (r.kind === 'namespace') return sendJson(response, 200, rows[0]!.object);
      return sendJson(
        response,
        200,
        listBody(
          'NamespaceList',
          rv,
          page(
            rows.map((x) => x.object),
            query,
          ),
        ),
      );
    }
    case 'pods':
    case 'pod': {
      const fieldMatch = parseFieldSelector(query.get('fieldSelector'), POD_FIELDS);
      const labelMatch = parseLabelSelector(query.get('labelSelector'));
      const pods = state.runtime.pods.filter(
        (p) =>
          (r.namespace === null || p.config.namespace === r.namespace) &&
          (r.kind === 'pods' || p.config.name === r.name) &&
          fieldMatch(podFields(p)) &&
          labelMatch(p.config.labels),
      );
      // A missing namespace is not an error for a pod list (empty) nor named for a pod get (pods "x" not found).
      if (r.kind === 'pod' && pods.length === 0) throw notFound('pods', r.name);
      const rows = pods.map((runtime) => ({ runtime, object: podObject(runtime, state.confined) }));
      if (wantsTable(request)) return sendJson(response, 200, podTable(rows, rv, rowObject(query)));
      if (r.kind === 'pod') return sendJson(response, 200, rows[0]!.object);
      return sendJson(
        response,
        200,
        listBody(
          'PodList',
          rv,
          page(
            rows.map((x) => x.object),
            query,
          ),
        ),
      );
    }
  }
}

/** The route, or null for a path outside /api and /apis (Go's mux answers those with a plain-text 404). */
export function routeOrNotFound(pathname: string, state: ApiState): Route | null {
  const r = route(pathname, state);
  if (r) return r;
  if (/^\/apis?(\/|$)/.test(pathname)) throw resourceNotFound();
  return null;
}

export { StatusError };
