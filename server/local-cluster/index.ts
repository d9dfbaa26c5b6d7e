// The embedded local cluster: a Kubernetes-compatible API server on loopback over TLS whose pods are local
// processes. It serves what kubectl and the Porthole UI need — discovery, namespaces, pods, exec and attach over
// WebSocket (v5 as the apiserver's translator, the legacy protocols as a CRI streaming server) — and nothing else.
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import {
  authenticateRequest,
  splitProtocols,
  StaticTokenAuthenticator,
  UnionTokenAuthenticator,
  type TokenAuthenticator,
} from './authentication.ts';
import { createServingCertificates } from './certificates.ts';
import { CHANNEL_PROTOCOLS } from './channel-protocols.ts';
import { checkHandshakeRequest, negotiateProtocol, switchingProtocols, type StreamingMode } from './handshake.ts';
import { writeKubeconfigFile } from './kubeconfig.ts';
import type { NamespaceRecord } from './objects.ts';
import { PodRuntimeManager, HANG_UP_GRACE_MS } from './pod-runtime.ts';
import { loadPodsConfig } from './pods-config.ts';
import { PUBLIC_PATHS, routeOrNotFound, sendPageNotFound, serveRest, streamTarget, type ApiState } from './rest-api.ts';
import { prepareSandbox } from './sandbox.ts';
import { createPod, deletePod, patchEphemeralContainers } from './pod-writes.ts';
import {
  badRequest,
  forbidden,
  notFound,
  rawStatusResponse,
  resourceNotFound,
  sendStatus,
  StatusError,
} from './status.ts';
import type { StreamFault } from './faults.ts';
import { SELF_SUBJECT_REVIEW_PATH, serveSelfSubjectReview } from './self-subject-review.ts';
import { StreamSession, type StreamSessionStats } from './stream-session.ts';

export type { StreamFault } from './faults.ts';

export interface LocalClusterOptions {
  podsFile?: string; // YAML; default: the bundled server/local-cluster/pods.yaml
  host?: string; // default 127.0.0.1
  port?: number; // default 0 (ephemeral)
  log?: (line: string) => void;
  /** Which server answers exec/attach upgrades (default `apiserver`: v5 when offered, else legacy). */
  streamingMode?: StreamingMode;
  /** Data-idle timeout of a stream, default 4 h as the apiserver. */
  streamIdleTimeoutSeconds?: number;
  /** Run pods without a user namespace even where one is possible. */
  disableSandbox?: boolean;
  /** Replaces the admin-token check (e.g. an AuthenticationConfiguration evaluator). */
  authenticator?: TokenAuthenticator;
  /** Tried after the admin token (e.g. the AuthenticationConfiguration trusting Porthole's issuer). */
  extraAuthenticators?: TokenAuthenticator[];
  /** See StreamSessionOptions.faithfulResizeStall (exec-protocol §2.5, §10.3 item 16). */
  faithfulResizeStall?: boolean;
  /** Server pings on every stream at this interval (upstream never pings). */
  streamPingIntervalSeconds?: number;
  /** Lenient receive: reassemble fragmented client messages (default: x/net's strict frame-per-message). */
  reassembleFragments?: boolean;
  /** Cut a stream's TCP connection without a close frame after this many seconds without data, as a proxy would. */
  proxyIdleTimeoutSeconds?: number;
  /** Misbehaving streams for client tests, by pod name (exec-protocol §10.4 item 24). */
  streamFaults?: Record<string, StreamFault>;
  /** Log one line per API request and upgrade (method, path, status; never credentials). */
  logRequests?: boolean;
}

export interface LocalCluster {
  readonly server: string; // https://127.0.0.1:PORT
  readonly caData: string; // PEM of the CA that signed the serving certificate
  readonly token: string; // bearer token with full access: the backend's credential for the local cluster
  /** True when pod processes run in user namespaces. */
  readonly confined: boolean;
  writeKubeconfig(file: string): Promise<void>; // context "porthole-local", for real kubectl
  processes(): Array<{ namespace: string; pod: string; container: string; pid: number; kind: 'main' | 'exec' }>;
  /** Live and finished exec/attach streams with their byte counters (for tests and diagnostics). */
  streams(): StreamSessionStats[];
  close(): Promise<void>;
}

export async function startLocalCluster(options: LocalClusterOptions = {}): Promise<LocalCluster> {
  const log = options.log ?? ((line: string) => console.log(line));
  const host = options.host ?? '127.0.0.1';
  const mode = options.streamingMode ?? 'apiserver';
  const config = await loadPodsConfig(options.podsFile);
  const sandbox = await prepareSandbox(log, { disable: options.disableSandbox ?? false });
  const runtime = new PodRuntimeManager(config.pods, sandbox, log);
  const token = randomBytes(32).toString('base64url');
  const authenticator = new UnionTokenAuthenticator([
    options.authenticator ??
      new StaticTokenAuthenticator(token, {
        username: 'porthole-local-admin',
        groups: ['system:masters', 'system:authenticated'],
      }),
    ...(options.extraAuthenticators ?? []),
  ]);
  const certificates = createServingCertificates();
  const createdAt = new Date(Math.floor(Date.now() / 1000) * 1000);
  const namespaces: NamespaceRecord[] = [...config.namespaces]
    .sort()
    .map((name, i) => ({ name, uid: randomUUID(), createdAt, resourceVersion: i + 1 }));
  const state: ApiState = { runtime, namespaces, confined: sandbox.confined, serverAddress: '' };
  const sessions: StreamSession[] = [];
  const openSockets = new Set<Duplex>();

  const server: Server = createServer({ key: certificates.keyPem, cert: certificates.certPem });
  server.on('secureConnection', (socket) => {
    openSockets.add(socket);
    socket.on('close', () => openSockets.delete(socket));
  });

  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    if (options.logRequests) {
      response.on('finish', () => log(`local cluster: ${request.method} ${request.url} → ${response.statusCode}`));
    }
    void handleRequest(request, response).catch((error: unknown) => {
      if (error instanceof StatusError) return sendStatus(response, error);
      log(`local cluster: ${request.method} ${request.url}: ${(error as Error).stack ?? String(error)}`);
      if (!response.headersSent)
        sendStatus(
          response,
          new StatusError({ status: 'Failure', message: 'internal error', reason: 'InternalError', code: 500 }),
        );
    });
  });

  async function handleRequest(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'https://local');
    const auth = PUBLIC_PATHS.has(url.pathname)
      ? undefined
      : await authenticateRequest(authenticator, request.headers, false);
    if (auth && url.pathname === SELF_SUBJECT_REVIEW_PATH) return serveSelfSubjectReview(request, response, auth.user);
    const r = routeOrNotFound(url.pathname, state);
    if (!r) return sendPageNotFound(response);
    // The debugging writes (issue 9): create and delete a pod, add ephemeral containers.
    if (r.kind === 'pods' && r.namespace !== null && request.method === 'POST') {
      return createPod(request, response, state, r.namespace);
    }
    if (
      (r.kind === 'pod' && request.method === 'DELETE') ||
      (r.kind === 'ephemeralcontainers' && request.method === 'PATCH')
    ) {
      const pod = runtime.findPod(r.namespace, r.name);
      if (!pod) throw notFound('pods', r.name);
      if (r.kind === 'pod') return deletePod(response, state, pod);
      return patchEphemeralContainers(request, response, state, pod);
    }
    serveRest(request, response, state, url, r);
  }

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (options.logRequests) {
      log(
        `local cluster: ${request.method} ${request.url} (Upgrade: ${request.headers.upgrade}; protocols: ${protocolsForLog(request)})`,
      );
    }
    socket.on('error', () => socket.destroy());
    void handleUpgrade(request, socket, head).catch((error: unknown) => {
      if (!(error instanceof StatusError)) {
        log(`local cluster: upgrade ${request.url}: ${(error as Error).stack ?? String(error)}`);
        error = new StatusError({ status: 'Failure', message: 'internal error', reason: 'InternalError', code: 500 });
      }
      socket.end(rawStatusResponse(error as StatusError));
    });
  });

  async function handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(request.url ?? '/', 'https://local');
    const upgrade = (request.headers.upgrade ?? '').toLowerCase();
    const isWebSocket = upgrade === 'websocket';
    const auth = await authenticateRequest(authenticator, request.headers, isWebSocket);
    const r = routeOrNotFound(url.pathname, state);
    if (!r) throw resourceNotFound();
    if (r.kind !== 'stream') throw badRequest('Upgrade request required');
    const { pod, request: params } = streamTarget(state, r, url.searchParams);
    if (upgrade.startsWith('spdy/')) {
      // kubectl's fallback after a refused WebSocket. We only speak WebSockets: say so instead of hanging.
      const offered = request.headersDistinct['x-stream-protocol-version'] ?? [];
      log(`local cluster: refused a SPDY ${r.subresource} upgrade (X-Stream-Protocol-Version: ${offered.join(', ')})`);
      throw forbidden(
        `SPDY is not supported by the Porthole local cluster: ${r.subresource} needs a WebSocket client offering v5.channel.k8s.io (kubectl 1.30 or newer)`,
      );
    }
    if (!isWebSocket) throw badRequest('Upgrade request required');
    const refusal = checkHandshakeRequest(request);
    if (refusal) {
      socket.end(refusal.bytes);
      return;
    }
    const fault = options.streamFaults?.[pod.config.name];
    if (fault === 'refuse-403') {
      socket.end(Buffer.from('HTTP/1.1 403 Forbidden\r\n\r\n'));
      return;
    }
    const offered = splitProtocols(auth.protocolHeader);
    const negotiated = negotiateProtocol(mode, offered, auth.protocolHeader !== undefined);
    if ('refusal' in negotiated) {
      socket.end(negotiated.refusal.bytes);
      return;
    }
    const protocol = CHANNEL_PROTOCOLS[fault === 'unoffered-protocol' ? 'v4.channel.k8s.io' : negotiated.protocol];
    socket.write(switchingProtocols(String(request.headers['sec-websocket-key']), protocol.name));
    const session = new StreamSession({
      socket,
      head,
      protocol,
      subresource: params.subresource,
      streams: params,
      user: auth.user.username,
      log,
      idleTimeoutMs: (options.streamIdleTimeoutSeconds ?? 4 * 60 * 60) * 1000,
      hangUpGraceMs: HANG_UP_GRACE_MS,
      faithfulResizeStall: options.faithfulResizeStall ?? false,
      ...(options.streamPingIntervalSeconds ? { pingIntervalMs: options.streamPingIntervalSeconds * 1000 } : {}),
      ...(fault ? { fault } : {}),
      ...(options.reassembleFragments ? { reassembleFragments: true } : {}),
      ...(options.proxyIdleTimeoutSeconds ? { proxyIdleTimeoutMs: options.proxyIdleTimeoutSeconds * 1000 } : {}),
    });
    sessions.push(session);
    // Keep every open stream and the most recent finished ones, not all of history.
    while (sessions.length > 200) {
      const finished = sessions.findIndex((s) => !s.stats.open);
      if (finished === -1) break;
      sessions.splice(finished, 1);
    }

    if (!params.stdin && !params.stdout && !params.stderr) {
      const text = 'you must specify at least 1 of stdin, stdout, stderr';
      session.end({ kind: 'failure', legacyMessage: text, translatedMessage: `unable to upgrade connection: ${text}` });
      return;
    }
    if (params.subresource === 'exec') {
      let proc: ReturnType<typeof runtime.exec>;
      try {
        proc = runtime.exec(pod, params.container, params.command, { tty: params.tty, stdin: params.stdin });
      } catch (error) {
        // After the 101 a failure can only travel as a status, like a runtime's refusal.
        const text = `error executing command in container: ${(error as Error).message}`;
        return session.end({
          kind: 'failure',
          legacyMessage: text,
          translatedMessage: `Internal error occurred: ${text}`,
        });
      }
      if ('legacyMessage' in proc) return session.end({ kind: 'failure', ...proc });
      session.attach({ process: proc, owned: true, acceptsInput: true, command: params.command });
      return;
    }
    const container = runtime.runningContainer(pod, params.container);
    if ('legacyMessage' in container) return session.end({ kind: 'failure', ...container });
    session.attach({ process: container.main!, owned: false, acceptsInput: container.config.stdin, command: [] });
  }

  try {
    await runtime.start();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => resolve());
    });
  } catch (error) {
    // e.g. the port is taken: leave no pod process behind.
    await runtime.close();
    throw error;
  }
  const address = server.address() as AddressInfo;
  const hostPort =
    address.family === 'IPv6' ? `[${address.address}]:${address.port}` : `${address.address}:${address.port}`;
  state.serverAddress = hostPort;
  const serverUrl = `https://${hostPort}`;
  log(`local cluster: serving ${config.pods.length} pods at ${serverUrl}`);

  return {
    server: serverUrl,
    caData: certificates.caPem,
    token,
    confined: sandbox.confined,
    writeKubeconfig: (file) => writeKubeconfigFile(file, serverUrl, certificates.caPem, token),
    processes: () => runtime.processes(),
    streams: () => sessions.map((s) => ({ ...s.stats })),
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of openSockets) socket.destroy();
      await runtime.close();
      await closed;
    },
  };
}

/** The offered subprotocols with any bearer token masked: tokens never reach a log. */
function protocolsForLog(request: IncomingMessage): string {
  return splitProtocols(String(request.headers['sec-websocket-protocol'] ?? ''))
    .map((p) =>
      p.startsWith('base64url.bearer.authorization.k8s.io.') ? 'base64url.bearer.authorization.k8s.io.<redacted>' : p,
    )
    .join(', ');
}
