// The page's HTTP calls to the Porthole backend. Every call goes through `request`, so a 401 anywhere (an
// expired or revoked session) reaches the app in one place and it can show the login screen.

/** A Kubernetes `metav1.Status` as the REST pass-through relays it. */
export interface Status {
  kind?: 'Status';
  status?: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  code?: number;
}

export interface ClusterInfo {
  name: string;
  server: string;
  local?: boolean;
}

/** Thrown for any non-2xx answer; `message` is the API's own message when the body carries one. */
export class ApiError extends Error {
  readonly status: number;
  readonly reason: string | undefined;
  constructor(status: number, message: string, reason?: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.reason = reason;
  }
}

type UnauthorizedListener = () => void;
const unauthorizedListeners = new Set<UnauthorizedListener>();

/** Called whenever the backend answers 401: the session is gone. Returns an unsubscribe function. */
export function onUnauthorized(listener: UnauthorizedListener): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

export function notifyUnauthorized(): void {
  for (const listener of unauthorizedListeners) listener();
}

/** The message a person should read for an error body: a Status's `message`, Porthole's `error`, or the text. */
export function messageFromBody(
  status: number,
  statusText: string,
  body: string,
): { message: string; reason?: string } {
  try {
    const parsed = JSON.parse(body) as { message?: unknown; error?: unknown; reason?: unknown };
    const reason = typeof parsed.reason === 'string' ? parsed.reason : undefined;
    if (typeof parsed.message === 'string' && parsed.message) return { message: parsed.message, reason };
    if (typeof parsed.error === 'string' && parsed.error) return { message: parsed.error, reason };
  } catch {
    // not JSON: fall through to the text
  }
  const text = body.trim();
  return { message: text || `${status} ${statusText}`.trim() };
}

async function request(path: string, init?: RequestInit): Promise<Response> {
  const response = await fetch(path, { credentials: 'same-origin', ...init });
  if (response.status === 401) notifyUnauthorized();
  return response;
}

async function failure(response: Response): Promise<ApiError> {
  const { message, reason } = messageFromBody(response.status, response.statusText, await response.text());
  return new ApiError(response.status, message, reason);
}

export async function getJSON<T>(path: string, signal?: AbortSignal): Promise<T> {
  const response = await request(path, { signal, headers: { Accept: 'application/json' } });
  if (!response.ok) throw await failure(response);
  return (await response.json()) as T;
}

/** Exchanges the login token from the URL fragment for the HttpOnly session cookie. */
export async function login(token: string): Promise<void> {
  // Not through `request`: a 401 here means "bad token", not "session expired".
  const response = await fetch('/porthole/api/login', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ token }),
  });
  if (!response.ok) throw await failure(response);
}

/** Who the session speaks for, as the backend reports it (the cluster applies its own prefix). */
export interface SessionUser {
  name: string;
  subject: string;
  groups: string[];
}

export type SessionInfo =
  | { authenticated: true; user: SessionUser; method: 'login-token' | 'oidc' }
  /** `oidcLogin`: where to send the browser to log in with the identity provider, when one is configured. */
  | { authenticated: false; oidcLogin?: string };

export async function sessionInfo(): Promise<SessionInfo> {
  const response = await fetch('/porthole/api/session', { credentials: 'same-origin' });
  if (response.status === 401) {
    const body = (await response.json().catch(() => ({}))) as { oidcLogin?: unknown };
    // Only a same-origin path is followed (the backend sends one; a proxy must not turn it into a redirect).
    const path = typeof body.oidcLogin === 'string' && /^\/[^/\\]/.test(body.oidcLogin) ? body.oidcLogin : undefined;
    return path ? { authenticated: false, oidcLogin: path } : { authenticated: false };
  }
  if (!response.ok) throw await failure(response);
  const body = (await response.json()) as Extract<SessionInfo, { authenticated: true }>;
  return { authenticated: true, user: body.user, method: body.method };
}

/** Ends the session on the server (its open shells close there too). */
export async function logout(): Promise<void> {
  const response = await fetch('/porthole/api/logout', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json' },
    body: '{}',
  });
  if (!response.ok) throw await failure(response);
}

export async function listClusters(): Promise<ClusterInfo[]> {
  return (await getJSON<{ clusters: ClusterInfo[] }>('/porthole/api/clusters')).clusters;
}

/** `/clusters/<cluster>/<apiPath>`: the REST pass-through, with the cluster name escaped as one segment. */
export function clusterPath(cluster: string, apiPath: string): string {
  return `/clusters/${encodeURIComponent(cluster)}/${apiPath}`;
}

/**
 * The diagnostic for a failed WebSocket upgrade: browsers hide the HTTP answer of a refused upgrade, so fetch
 * the same URL as a plain GET, which the backend relays to the API server (kube-apiserver answers a plain GET on
 * exec/attach with the Status it would have refused the upgrade with; "Upgrade request required" means the
 * request itself was fine and the WebSocket was lost on the way).
 */
export async function diagnoseUpgrade(path: string): Promise<{ status: number; message: string }> {
  try {
    const response = await request(path, { headers: { Accept: 'application/json' } });
    const { message } = messageFromBody(response.status, response.statusText, await response.text());
    return { status: response.status, message };
  } catch (error) {
    return { status: 0, message: `the server could not be reached (${String(error)})` };
  }
}

/** A debugging write through the pass-through (PATCH ephemeralcontainers, POST/DELETE a debug pod). */
export async function sendJSON<T>(
  method: 'PATCH' | 'POST' | 'DELETE',
  path: string,
  body?: unknown,
  contentType = 'application/json',
  keepalive = false,
): Promise<T> {
  const response = await request(path, {
    method,
    keepalive,
    headers: { Accept: 'application/json', 'Content-Type': contentType },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok) throw await failure(response);
  return (await response.json()) as T;
}
