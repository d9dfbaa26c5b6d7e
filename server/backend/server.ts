// `startPorthole`: the HTTP server behind `porthole serve`. It serves the built app, logs people in with the
// one-time-per-start login token, relays allowlisted REST reads and exec/attach WebSockets to the clusters
// with the backend's credentials, and starts the embedded local cluster when no kubeconfig is given.

import { readFile } from 'node:fs/promises';
import { createServer as createHttpsServer } from 'node:https';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { localClusterEntry, publicClusterInfo, type Cluster } from './clusters.ts';
import { HttpError, readBody, sendError, sendJson, setSecurityHeaders } from './http.ts';
import { loadKubeconfig } from './kubeconfig.ts';
import { startLocalCluster, type LocalCluster } from './local-cluster.ts';
import { allowedOrigins, isLoopbackHost, type AllowedOrigins } from './origins.ts';
import {
  DEFAULT_LIMITS,
  DEFAULT_TIMING,
  type Relay,
  type RelayLimits,
  type RelayStats,
  type RelayTiming,
} from './relay.ts';
import { DEFAULT_REST_OPTIONS, relayRest, type RestProxyOptions } from './rest-proxy.ts';
import { CLUSTERS_PREFIX, isRelayedMethod, parseClusterRequest, type ClusterRequest } from './routes.ts';
import { relayDebugWrite } from './debug-relay.ts';
import { DebugPods, type DebugWriteRecord, type DebugWriteRoute } from './debug-writes.ts';
import {
  SessionStore,
  clearedSessionCookie,
  newSecret,
  secretsEqual,
  sessionCookie,
  sessionIdsFromCookies,
  type Session,
  type SessionOptions,
  type SessionUser,
} from './sessions.ts';
import {
  clearedTransactionCookie,
  LoginFailed,
  OidcLogin,
  oidcIssuerProblem,
  type OidcSettings,
} from './oidc-login.ts';
import { sendLoginFailure } from './login-page.ts';
import { createStaticHandler } from './static-files.ts';
import { DEFAULT_RATE_LIMITS, RateLimiter, type RateLimits } from './rate-limit.ts';
import { ConfigurationAuthenticator } from '../issuer/cluster-authenticator.ts';
import { Issuer } from '../issuer/issuer.ts';
import { defaultIssuerUrl, issuerUrlProblem } from '../issuer/issuer-url.ts';
import { openKeyStore, unixNow } from '../issuer/key-store.ts';
import type { SigningAlgorithm } from '../issuer/signing-key.ts';
import { LOCAL_CLUSTER_AUDIENCE } from '../issuer/local-trust.ts';
import { localLoginIdentity } from '../issuer/local-login.ts';
import { prefixProblem } from '../issuer/trust-config.ts';
import { fileAuditSink, ShellAudit } from './audit.ts';
import { RecordingStore } from './recording.ts';
import { serveRecordings } from './recordings-api.ts';
import { createUpgradeHandler, sessionFromCookies } from './upgrade.ts';

export interface PortholeOptions {
  host?: string; // default 127.0.0.1
  port?: number; // default 8080; 0 = ephemeral
  kubeconfig?: string; // real clusters; without it the local cluster is started
  writeLocalKubeconfig?: string;
  podsFile?: string; // local cluster pods
  allowOrigins?: string[]; // extra allowed Origins (e.g. the Vite dev server)
  /** The token issuer's https URL as clusters reach it; default https://<host:port>/oidc (local cluster only). */
  issuerUrl?: string;
  /** Persist the issuer's signing keys here (mode 0600); default: a key in memory for this run. */
  keyFile?: string;
  /** Algorithm of a newly generated signing key. Default ES256. */
  signingAlgorithm?: SigningAlgorithm;
  /** The prefix the local cluster's AuthenticationConfiguration puts on minted users and groups. Default `porthole:`. */
  identityPrefix?: string;
  /** Append the shell audit's JSON lines to this file (mode 0600), `-` for standard output; default: the log. */
  auditLog?: string;
  /** Record every shell's output as asciicast v2 files in this directory (mode 0700); default: no recording. */
  recordDir?: string;
  /** Serve https with this PEM certificate (chain) and key: Secure `__Host-` cookies, an https issuer URL. */
  tlsCertFile?: string;
  tlsKeyFile?: string;
  /** Log people in with this OpenID Connect identity provider (besides the one-time login token). */
  oidc?: OidcSettings & { clientSecretFile?: string };
  distDir?: string; // built app, default dist/
  log?: (line: string) => void;
  // For tests and embedding (not CLI flags):
  /** Use these clusters instead of a kubeconfig or the local cluster. */
  clusters?: Cluster[];
  sessions?: SessionOptions;
  timing?: Partial<RelayTiming>;
  limits?: Partial<RelayLimits>;
  rest?: Partial<RestProxyOptions>;
  /** Opening-handshake deadline towards a cluster. Default 10 s. */
  connectTimeoutMs?: number;
  /** Largest single WebSocket message either way. Default 8 MiB (the channel protocol uses ≤ 32 KiB). */
  maxMessageBytes?: number;
  /** Open exec/attach connections per session. Default 64 (a page has one per terminal tab). */
  maxRelaysPerSession?: number;
  /** Rate limits on logins, token minting and upgrades. */
  rateLimits?: Partial<RateLimits>;
}

export interface Porthole {
  url: string; // http://127.0.0.1:PORT/
  loginUrl: string; // url + '#login=' + loginToken
  loginToken: string;
  localCluster?: LocalCluster;
  /** The clusters served, in order. */
  clusters: readonly Cluster[];
  origins: AllowedOrigins;
  /** Porthole's token issuer (discovery, JWKS, minting). */
  issuer: Issuer;
  /** The OpenID Connect login, when configured. */
  oidc?: OidcLogin;
  sessions: SessionStore;
  /** Live exec/attach relays (byte counts, backpressure state): for tests and the audit of issue 8. */
  relays(): RelayStats[];
  /** The last 100 relays that ended, oldest first. */
  finishedRelays(): RelayStats[];
  /** The last 200 debugging writes (ephemeral containers, debug pods), refused ones included, oldest first. */
  debugWrites(): DebugWriteRecord[];
  close(): Promise<void>;
}

const DEFAULT_DIST = fileURLToPath(new URL('../../dist/', import.meta.url));
const LOGIN_BODY_LIMIT = 4096;
const API_PREFIX = '/porthole/api';
const OIDC_LOGIN_ROUTE = `${API_PREFIX}/oidc/login`;

export async function startPorthole(options: PortholeOptions = {}): Promise<Porthole> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const host = options.host ?? '127.0.0.1';
  if (options.kubeconfig && (options.writeLocalKubeconfig || options.podsFile)) {
    throw new Error(
      '--write-local-kubeconfig and --pods apply to the local cluster; they cannot be used with --kubeconfig',
    );
  }

  if (options.issuerUrl) {
    const problem = issuerUrlProblem(options.issuerUrl);
    if (problem) throw new Error(problem);
  }
  if (options.identityPrefix !== undefined) {
    const problem = prefixProblem(options.identityPrefix);
    if (problem) throw new Error(problem);
  }
  if (options.oidc) {
    const problem = oidcIssuerProblem(options.oidc.issuerUrl);
    if (problem) throw new Error(`--oidc-issuer-url: ${problem}`);
    if (!options.oidc.clientId) throw new Error('--oidc-client-id is required with --oidc-issuer-url');
  }
  const oidcSettings = options.oidc ? await readOidcSecret(options.oidc) : undefined;
  if ((options.tlsCertFile === undefined) !== (options.tlsKeyFile === undefined))
    throw new Error('--tls-cert-file and --tls-key-file go together');
  let tls: { cert: string; key: string } | undefined;
  if (options.tlsCertFile !== undefined && options.tlsKeyFile !== undefined) {
    try {
      tls = { cert: await readFile(options.tlsCertFile, 'utf8'), key: await readFile(options.tlsKeyFile, 'utf8') };
    } catch (error) {
      throw new Error(`cannot read the TLS certificate or key: ${(error as Error).message}`);
    }
  }
  const scheme = tls ? 'https' : 'http';
  // Keys first: a key file Porthole must refuse (mode, content) stops it before anything starts.
  const keys = await openKeyStore({
    ...(options.keyFile ? { keyFile: options.keyFile } : {}),
    ...(options.signingAlgorithm ? { algorithm: options.signingAlgorithm } : {}),
    log,
  });
  // The local cluster trusts the issuer through an AuthenticationConfiguration (configured once the issuer URL
  // is known), next to its admin token.
  const localTrust = new ConfigurationAuthenticator({ jwks: { jwks: () => keys.ring.jwks(unixNow()) }, log });

  let localCluster: LocalCluster | undefined;
  let clusters: Cluster[];
  if (options.clusters) {
    clusters = options.clusters;
  } else if (options.kubeconfig) {
    clusters = await loadKubeconfig(options.kubeconfig, log);
    for (const cluster of clusters) {
      if (cluster.error) log(`cluster "${cluster.name}" is unusable: ${cluster.error}`);
    }
  } else {
    localCluster = await startLocalCluster({
      ...(options.podsFile ? { podsFile: options.podsFile } : {}),
      log,
      extraAuthenticators: [localTrust],
    });
    // The browser's requests reach the local cluster with a token minted for the session (spec §0.2); the
    // admin token stays for the kubeconfig written for kubectl.
    clusters = [
      localClusterEntry(localCluster, async ({ sessionId, identity }) => {
        if (!issuer) throw new Error('the token issuer is not ready yet');
        return (await issuer.token(sessionId, identity, LOCAL_CLUSTER_AUDIENCE)).token;
      }),
    ];
    if (options.writeLocalKubeconfig) {
      await localCluster.writeKubeconfig(options.writeLocalKubeconfig);
      log(`wrote a kubeconfig for the local cluster to ${options.writeLocalKubeconfig} (context "porthole-local")`);
    }
  }
  const clusterMap = new Map(clusters.map((c) => [c.name, c]));

  const loginToken = newSecret();
  const limits: RateLimits = { ...DEFAULT_RATE_LIMITS, ...options.rateLimits };
  const logins = new RateLimiter({ limit: limits.loginsPerMinute, windowMs: 60_000 });
  const sessions = new SessionStore(options.sessions);
  const relays = new Set<Relay>();
  const serveStatic = createStaticHandler(options.distDir ?? DEFAULT_DIST);
  const rest: RestProxyOptions = { ...DEFAULT_REST_OPTIONS, ...options.rest };
  // Filled in once the port is known (port 0 picks one).
  let origins: AllowedOrigins = allowedOrigins(host, options.port ?? 8080, options.allowOrigins, scheme);

  const isTls = (req: IncomingMessage) => 'encrypted' in req.socket && req.socket.encrypted === true;
  const localLogin = localLoginIdentity();

  /** A new session for this user, replacing any the browser had (a login never reuses an id: fixation). */
  function logIn(req: IncomingMessage, user: SessionUser): Session {
    for (const old of sessionIdsFromCookies(req.headers.cookie)) sessions.destroy(old, 'replaced by a new login');
    const session = sessions.create(user);
    session.onEnd.add(() => issuer?.forgetSession(session.id));
    return session;
  }

  function originAllowed(req: IncomingMessage): boolean {
    const origin = req.headers.origin;
    return typeof origin === 'string' && origins.origins.has(origin);
  }

  async function handleApi(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
    const route = pathname.slice(API_PREFIX.length);
    if (route === '/recordings' || route.startsWith('/recordings/')) {
      const session = sessionFromCookies(sessions, req.headers.cookie);
      return serveRecordings(req, res, route, session?.user.identity.subject, recordings);
    }
    const methods: Record<string, string> = {
      '/login': 'POST',
      '/logout': 'POST',
      '/session': 'GET',
      '/clusters': 'GET',
      '/oidc/login': 'GET',
      '/oidc/callback': 'GET',
    };
    const method = methods[route];
    if (!method) return sendError(res, 404, `no API endpoint ${pathname}`);
    if (req.method !== method) {
      res.setHeader('Allow', method);
      return sendError(res, 405, `${pathname} accepts ${method} only`);
    }
    // CSRF: every state change must come from one of our own origins, as a same-origin fetch (Sec-Fetch-Site when
    // the browser sends it), with a JSON body, which no cross-site form can send and no cross-origin script can
    // send without a preflight we never grant.
    if (method === 'POST') {
      if (!originAllowed(req)) {
        return sendError(
          res,
          403,
          `Origin ${req.headers.origin ? `"${req.headers.origin}"` : '(none)'} is not allowed`,
        );
      }
      const site = req.headers['sec-fetch-site'];
      if (site !== undefined && site !== 'same-origin') {
        return sendError(res, 403, `Sec-Fetch-Site "${String(site)}" is not allowed: only same-origin requests`);
      }
      if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
        return sendError(res, 415, `${pathname} expects Content-Type: application/json`);
      }
    }
    const client = req.socket.remoteAddress ?? '';
    if (route === '/login' || route === '/oidc/login' || route === '/oidc/callback') {
      const wait = route === '/login' ? logins.retryAfter(client) : logins.take(client);
      if (wait !== undefined) {
        res.setHeader('Retry-After', String(Math.ceil(wait / 1000)));
        return sendError(
          res,
          429,
          `too many login attempts from this address; try again in ${Math.ceil(wait / 1000)} s`,
        );
      }
    }
    switch (route) {
      case '/login': {
        const body = await readBody(req, LOGIN_BODY_LIMIT);
        let token: unknown;
        try {
          token = (JSON.parse(body.toString('utf8')) as { token?: unknown }).token;
        } catch {
          logins.take(client);
          return sendError(res, 400, 'login body must be JSON: {"token":"…"}');
        }
        if (typeof token !== 'string' || !secretsEqual(loginToken, token)) {
          logins.take(client);
          return sendError(res, 401, 'invalid login token');
        }
        const session = logIn(req, {
          method: 'login-token',
          identity: localLogin,
          displayName: localLogin.subject,
        });
        return sendJson(res, 204, undefined, { 'Set-Cookie': sessionCookie(session.id, isTls(req)) });
      }
      case '/logout': {
        for (const id of sessionIdsFromCookies(req.headers.cookie)) sessions.destroy(id, 'logged out');
        return sendJson(res, 204, undefined, { 'Set-Cookie': clearedSessionCookie(isTls(req)) });
      }
      case '/session': {
        const session = sessionFromCookies(sessions, req.headers.cookie);
        if (!session) {
          return sendJson(res, 401, {
            authenticated: false,
            error: 'not logged in',
            ...(oidc ? { oidcLogin: OIDC_LOGIN_ROUTE } : {}),
          });
        }
        const { user } = session;
        return sendJson(res, 200, {
          authenticated: true,
          user: { name: user.displayName, subject: user.identity.subject, groups: user.identity.groups },
          method: user.method,
          expiresAt: new Date(sessions.expiresAt(session)).toISOString(),
        });
      }
      case '/oidc/login': {
        if (!oidc) return sendError(res, 404, 'OpenID Connect login is not configured (see porthole serve --help)');
        const returnTo = new URL(req.url ?? '/', 'http://x').searchParams.get('returnTo');
        try {
          const { location, cookie } = await oidc.start(returnTo, isTls(req));
          res.writeHead(303, { Location: location, 'Set-Cookie': cookie, 'Cache-Control': 'no-store' });
          res.end();
        } catch (error) {
          if (!(error instanceof LoginFailed)) throw error;
          log(`OIDC login: ${error.message}`);
          sendLoginFailure(res, error.status, error.message);
        }
        return;
      }
      case '/oidc/callback': {
        if (!oidc) return sendError(res, 404, 'OpenID Connect login is not configured (see porthole serve --help)');
        const raw = req.url ?? '';
        const query = raw.includes('?') ? raw.slice(raw.indexOf('?')) : '';
        const cleared = clearedTransactionCookie(isTls(req));
        try {
          const { user, returnTo } = await oidc.finish(query, req.headers.cookie);
          const session = logIn(req, user);
          log(`OIDC login: ${user.displayName} (sub ${JSON.stringify(user.identity.subject)}) logged in`);
          res.writeHead(303, {
            Location: returnTo,
            'Set-Cookie': [cleared, sessionCookie(session.id, isTls(req))],
            'Cache-Control': 'no-store',
          });
          res.end();
        } catch (error) {
          if (!(error instanceof LoginFailed)) throw error;
          log(`OIDC login refused: ${error.message}`);
          res.setHeader('Set-Cookie', cleared);
          sendLoginFailure(res, error.status, error.message);
        }
        return;
      }
      case '/clusters': {
        if (!sessionFromCookies(sessions, req.headers.cookie)) return sendError(res, 401, 'not logged in');
        return sendJson(res, 200, { clusters: clusters.map(publicClusterInfo) });
      }
    }
  }

  const debugPods = new DebugPods();
  const debugSessions = new WeakSet<object>();
  const debugWrites: DebugWriteRecord[] = [];
  const auditDebugWrite = (record: DebugWriteRecord) => {
    debugWrites.push(record);
    if (debugWrites.length > 200) debugWrites.shift();
    // The debug flow's writes go to the shell audit too, one JSON line each (refusals included).
    auditSink.write(JSON.stringify({ event: 'debug.write', ...record, at: new Date(record.at).toISOString() }));
  };

  async function handleClusterRest(req: IncomingMessage, res: ServerResponse, rawUrl: string): Promise<void> {
    const method = req.method;
    if (!isRelayedMethod(method)) {
      return sendError(
        res,
        403,
        `method ${method} is not allowed: Porthole relays GET, and PATCH/POST/DELETE only for debugging`,
      );
    }
    // CSRF: a write must come from one of our own pages (a GET without Origin is a plain navigation).
    if ((req.headers.origin !== undefined || method !== 'GET') && !originAllowed(req)) {
      return sendError(res, 403, `Origin ${req.headers.origin ? `"${req.headers.origin}"` : '(none)'} is not allowed`);
    }
    const session = sessionFromCookies(sessions, req.headers.cookie);
    if (!session) return sendError(res, 401, 'not logged in');
    const parsed = parseClusterRequest(rawUrl, method);
    if (!parsed.ok) return sendError(res, parsed.status, parsed.message);
    const cluster = clusterMap.get(parsed.request.cluster);
    if (!cluster) return sendError(res, 404, `no cluster named "${parsed.request.cluster}"`);
    if (method === 'GET') {
      await relayRest(res, cluster, parsed.request, { sessionId: session.id, identity: session.user.identity }, rest);
      return;
    }
    // A session's debug pods are its own: once it ends, nobody may delete them through Porthole.
    if (!debugSessions.has(session)) {
      debugSessions.add(session);
      session.onEnd.add(() => debugPods.forgetSession(session.id));
    }
    await relayDebugWrite(
      req,
      res,
      cluster,
      parsed.request as ClusterRequest & { route: DebugWriteRoute },
      { sessionId: session.id, identity: session.user.identity },
      { pods: debugPods, rest, audit: auditDebugWrite },
    );
  }

  // Set once the port, and with it the default issuer URL, is known; the request handler reads it before that.
  // eslint-disable-next-line prefer-const
  let issuer: Issuer | undefined;
  let oidc: OidcLogin | undefined;

  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    setSecurityHeaders(res);
    const rawUrl = req.url ?? '/';
    const pathname = rawUrl.split('?')[0] ?? '/';
    // Discovery and the JWKS before the Host check: clusters fetch them by the issuer's public name, and they
    // hold only public keys, so a DNS-rebinding page gains nothing from reading them.
    if (issuer?.serve(req, res, pathname)) return;
    if (!origins.hosts.has(req.headers.host ?? '')) {
      // DNS rebinding: a page on another name that resolves here must not reach us.
      return sendError(
        res,
        403,
        `Host "${req.headers.host ?? ''}" is not one this server answers for (see --allow-origin)`,
      );
    }
    if (pathname === API_PREFIX || pathname.startsWith(`${API_PREFIX}/`)) return handleApi(req, res, pathname);
    if (pathname === '/clusters' || pathname.startsWith(CLUSTERS_PREFIX)) return handleClusterRest(req, res, rawUrl);
    return serveStatic(req, res, pathname);
  }

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    onRequest(req, res).catch((error: unknown) => {
      const status = error instanceof HttpError ? error.status : 500;
      if (!(error instanceof HttpError))
        log(`internal error on ${req.method} ${(req.url ?? '').split('?')[0]}: ${String(error)}`);
      if (!res.headersSent) sendError(res, status, error instanceof Error ? error.message : 'internal error');
      else res.destroy();
    });
  };
  const server = tls
    ? createHttpsServer({ maxHeaderSize: 32 * 1024, cert: tls.cert, key: tls.key }, handle)
    : createServer({ maxHeaderSize: 32 * 1024 }, handle);
  const relayStats: RelayStats[] = [];
  const auditSink =
    options.auditLog === '-'
      ? { write: (line: string) => void process.stdout.write(line + '\n'), close: () => {} }
      : options.auditLog
        ? fileAuditSink(options.auditLog)
        : { write: (line: string) => log(`audit ${line}`), close: () => {} };
  const recordings = options.recordDir ? new RecordingStore(options.recordDir) : undefined;
  const onUpgrade = createUpgradeHandler({
    get origins() {
      return origins;
    },
    sessions,
    clusters: clusterMap,
    timing: { ...DEFAULT_TIMING, ...options.timing },
    limits: { ...DEFAULT_LIMITS, ...options.limits },
    connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
    maxMessageBytes: options.maxMessageBytes ?? 8 * 1024 * 1024,
    maxRelaysPerSession: options.maxRelaysPerSession ?? 64,
    upgrades: new RateLimiter({ limit: limits.upgradesPerMinute, windowMs: 60_000 }),
    log,
    relays,
    ...(recordings ? { recordings } : {}),
    audit: {
      log: new ShellAudit(auditSink.write),
      whoOf: (session) => ({ subject: session.user.identity.subject, groups: session.user.identity.groups }),
    },
    onRelayEnd: (stats) => {
      relayStats.push(stats);
      if (relayStats.length > 100) relayStats.shift();
    },
  });
  server.on('upgrade', (req: IncomingMessage, socket, head: Buffer) => {
    void onUpgrade(req, socket, head).catch((error: unknown) => {
      log(`internal error on upgrade: ${String(error)}`);
      socket.destroy();
    });
  });

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 8080, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await localCluster?.close();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      throw new Error(`port ${options.port ?? 8080} on ${host} is already in use; choose another with --port`);
    }
    throw new Error(`cannot listen on ${host}:${options.port ?? 8080}: ${(error as Error).message}`);
  }
  const port = (server.address() as AddressInfo).port;
  origins = allowedOrigins(host, port, options.allowOrigins, scheme);
  issuer = new Issuer({
    url: options.issuerUrl ?? defaultIssuerUrl(origins.url),
    keys,
    now: unixNow,
    mintsPerMinute: limits.mintsPerMinute,
  });
  if (oidcSettings) {
    oidc = new OidcLogin({ ...oidcSettings, origin: origins.url });
    log(`OpenID Connect login with ${oidc.issuerUrl} (redirect URI ${oidc.redirectUri})`);
  }
  if (localCluster) {
    localTrust.configure(
      issuer.trustConfigurationYaml({
        audience: LOCAL_CLUSTER_AUDIENCE,
        ...(options.identityPrefix !== undefined ? { prefix: options.identityPrefix } : {}),
      }),
    );
  }
  // `porthole keys rotate` rewrites the key file; pick the change up within seconds.
  const keyReloader = setInterval(() => void keys.reloadIfChanged(), 2000);
  keyReloader.unref();
  if (!isLoopbackHost(host)) {
    log(
      `warning: listening on ${host}, reachable from other machines; anyone with the login token controls your ` +
        'clusters through it. Add --allow-origin for every name people will use to reach it.',
    );
  }

  // Every second: a session that expires without a request still closes its shells within about a second.
  const sweeper = setInterval(() => sessions.sweep(), 1000);
  sweeper.unref();

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      clearInterval(sweeper);
      clearInterval(keyReloader);
      const live = [...relays];
      for (const relay of live) relay.shutdown(1001, 'Porthole is shutting down');
      sessions.endAll('server shutting down');
      // Give the relays a moment to deliver their Ctrl-D and close frames before the sockets go.
      const deadline = Date.now() + 2000;
      while (relays.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      for (const relay of relays) relay.terminate();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await localCluster?.close();
      auditSink.close();
    })());

  return {
    url: origins.url,
    loginUrl: `${origins.url}#login=${loginToken}`,
    loginToken,
    ...(localCluster ? { localCluster } : {}),
    clusters,
    origins,
    issuer,
    ...(oidc ? { oidc } : {}),
    sessions,
    relays: () => [...relays].map((r) => r.stats),
    finishedRelays: () => [...relayStats],
    debugWrites: () => [...debugWrites],
    close,
  };
}

/** The client secret from its file (a secret on the command line would show in `ps`). */
async function readOidcSecret(settings: OidcSettings & { clientSecretFile?: string }): Promise<OidcSettings> {
  const { clientSecretFile, ...rest } = settings;
  if (clientSecretFile === undefined) return rest;
  let secret: string;
  try {
    secret = (await readFile(clientSecretFile, 'utf8')).trim();
  } catch (error) {
    throw new Error(`--oidc-client-secret-file: cannot read ${clientSecretFile}: ${(error as Error).message}`);
  }
  if (secret === '') throw new Error(`--oidc-client-secret-file: ${clientSecretFile} is empty`);
  return { ...rest, clientSecret: secret };
}
