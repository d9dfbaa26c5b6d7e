// The HTTP `upgrade` handler for exec/attach. Every check runs here, before anything reaches a cluster:
// Origin (exact allowlist, 403), session (401), path and query allowlist (404/403), handshake sanity (400).
// Then the cluster's WebSocket is opened with the backend's credential, and only when the cluster answers 101
// is the browser's upgrade completed, with the subprotocol the cluster chose. Any other answer goes back to
// the browser as that HTTP status with the cluster's body; the browser never gets a 101 the cluster refused.

import type { IncomingMessage } from 'node:http';
import { basename } from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { exitCodeOf, type AuditIdentity, type ShellAudit } from './audit.ts';
import { MintRateLimited } from '../issuer/mint.ts';
import { CLOSE_SESSION_ENDED } from './close-codes.ts';
import type { RateLimiter } from './rate-limit.ts';
import type { Cluster } from './clusters.ts';
import type { RecordingStore, ShellRecording } from './recording.ts';
import { writeRawJsonError, writeRawResponse } from './http.ts';
import type { AllowedOrigins } from './origins.ts';
import {
  Relay,
  stdinEotMessage,
  type RelayLimits,
  type RelayStats,
  type RelayTarget,
  type RelayTiming,
} from './relay.ts';
import { kubeBool, parseClusterRequest } from './routes.ts';
import { sessionIdsFromCookies, type Session, type SessionStore } from './sessions.ts';

export interface UpgradeOptions {
  origins: AllowedOrigins;
  sessions: SessionStore;
  clusters: ReadonlyMap<string, Cluster>;
  timing: RelayTiming;
  limits: RelayLimits;
  /** Opening handshake deadline towards the cluster (TCP + TLS + 101). */
  connectTimeoutMs: number;
  /** Largest single message accepted from either side. */
  maxMessageBytes: number;
  /** Open (and opening) exec/attach connections one session may hold; more get 429. */
  maxRelaysPerSession: number;
  /** Upgrades per session per minute; more get 429. */
  upgrades: RateLimiter;
  log: (line: string) => void;
  /** Every live relay, for shutdown and for tests/audit. */
  relays: Set<Relay>;
  onRelayEnd?: (stats: RelayStats) => void;
  /** The shell audit (one line on open, one on close), and who a session is. */
  audit?: { log: ShellAudit; whoOf: (session: Session) => AuditIdentity };
  /** Record each shell's output as asciicast v2 (`--record-dir`). */
  recordings?: RecordingStore;
}

/** Largest upstream error body relayed to the browser (a Status is a few hundred bytes). */
const MAX_ERROR_BODY = 64 * 1024;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Subprotocol entries that carry a credential or an identity: the browser never gets to supply those.
const CREDENTIAL_LIKE = /bearer|authorization|impersonate|token/i;

/** Parses Sec-WebSocket-Protocol the way ws and the apiserver do: comma-separated, trimmed, RFC 7230 tokens. */
export function parseSubprotocols(header: string | undefined): string[] | string {
  if (header === undefined) return [];
  const out: string[] = [];
  for (const raw of header.split(',')) {
    const entry = raw.trim();
    if (!TOKEN.test(entry)) return `Sec-WebSocket-Protocol entry "${entry}" is not a valid token`;
    if (out.includes(entry)) return `Sec-WebSocket-Protocol offers "${entry}" twice`;
    out.push(entry);
  }
  return out;
}

export function sessionFromCookies(sessions: SessionStore, cookieHeader: string | undefined): Session | undefined {
  for (const value of sessionIdsFromCookies(cookieHeader)) {
    const session = sessions.get(value);
    if (session) return session;
  }
  return undefined;
}

function browserHandshakeProblem(req: IncomingMessage): string | undefined {
  if (req.method !== 'GET') return `a WebSocket upgrade must be a GET, not ${req.method}`;
  if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket') return 'Upgrade header must be "websocket"';
  if (req.headers['sec-websocket-version'] !== '13') return 'Sec-WebSocket-Version must be 13';
  const key = req.headers['sec-websocket-key'];
  if (!key || !/^[+/0-9A-Za-z]{22}==$/.test(key)) return 'missing or malformed Sec-WebSocket-Key';
  return undefined;
}

export function createUpgradeHandler(options: UpgradeOptions) {
  const chosenProtocol = new WeakMap<IncomingMessage, string>();
  const wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    clientTracking: false,
    maxPayload: options.maxMessageBytes,
    handleProtocols: (_offered, req) => chosenProtocol.get(req) || false,
  });

  const openPerSession = new WeakMap<Session, number>();
  const audit = options.audit;

  return async function onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => socket.destroy());
    const origin = req.headers.origin;
    if (!origin || !options.origins.origins.has(origin)) {
      writeRawJsonError(
        socket,
        403,
        `Origin ${origin ? `"${origin}"` : '(none)'} is not allowed to open a WebSocket here`,
      );
      return;
    }
    if (!options.origins.hosts.has(req.headers.host ?? '')) {
      writeRawJsonError(socket, 403, `Host "${req.headers.host ?? ''}" is not one this server answers for`);
      return;
    }
    const session = sessionFromCookies(options.sessions, req.headers.cookie);
    if (!session) {
      writeRawJsonError(socket, 401, 'not logged in: open the login URL Porthole printed at start');
      return;
    }
    const parsed = parseClusterRequest(req.url ?? '');
    if (!parsed.ok) {
      writeRawJsonError(socket, parsed.status, parsed.message);
      return;
    }
    const { request } = parsed;
    if (request.route.kind !== 'stream') {
      writeRawJsonError(socket, 403, 'WebSocket upgrades are allowed only for pods/exec and pods/attach');
      return;
    }
    const cluster = options.clusters.get(request.cluster);
    if (!cluster) {
      writeRawJsonError(socket, 404, `no cluster named "${request.cluster}"`);
      return;
    }
    const problem = browserHandshakeProblem(req);
    if (problem) {
      writeRawJsonError(socket, 400, problem);
      return;
    }
    const offered = parseSubprotocols(req.headers['sec-websocket-protocol']);
    if (typeof offered === 'string') {
      writeRawJsonError(socket, 400, offered);
      return;
    }
    const forwarded = offered.filter((p) => !CREDENTIAL_LIKE.test(p));
    if (forwarded.length < offered.length) {
      options.log(`dropped ${offered.length - forwarded.length} credential-like subprotocol(s) offered by the browser`);
    }

    const wait = options.upgrades.take(session.id);
    if (wait !== undefined) {
      writeRawJsonError(
        socket,
        429,
        `this session opened ${options.upgrades.limit} connections in the last minute; try again in ${Math.ceil(wait / 1000)} s`,
      );
      return;
    }
    const open = openPerSession.get(session) ?? 0;
    if (open >= options.maxRelaysPerSession) {
      writeRawJsonError(
        socket,
        429,
        `this session already has ${open} open connections (at most ${options.maxRelaysPerSession})`,
      );
      return;
    }
    openPerSession.set(session, open + 1);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      openPerSession.set(session, (openPerSession.get(session) ?? 1) - 1);
    };

    let target;
    try {
      target = await cluster.upstream({ sessionId: session.id, identity: session.user.identity });
    } catch (error) {
      release();
      const status = error instanceof MintRateLimited ? 429 : 503;
      writeRawJsonError(socket, status, `cluster "${cluster.name}" is not usable: ${(error as Error).message}`);
      return;
    }
    if (socket.destroyed) {
      release();
      return;
    }

    const route = request.route;
    const relayTarget: RelayTarget = {
      cluster: cluster.name,
      namespace: route.namespace,
      pod: route.pod,
      subresource: route.subresource,
      tty: kubeBool(request.params, 'tty'),
      stdin: kubeBool(request.params, 'stdin'),
      ...(request.params.find(([k]) => k === 'container')
        ? { container: request.params.find(([k]) => k === 'container')?.[1] }
        : {}),
    };
    const what = `${route.subresource} ${cluster.name}/${route.namespace}/${route.pod}`;
    const url = target.server.replace(/^http/, 'ws') + request.apiPath + request.query;
    let upstream: WebSocket;
    try {
      upstream = new WebSocket(url, forwarded, {
        headers: { ...target.headers, 'User-Agent': 'porthole' },
        ca: target.tls.ca,
        cert: target.tls.cert,
        key: target.tls.key,
        rejectUnauthorized: target.tls.rejectUnauthorized,
        ...(target.tls.servername ? { servername: target.tls.servername } : {}),
        perMessageDeflate: false,
        followRedirects: false,
        handshakeTimeout: options.connectTimeoutMs,
        maxPayload: options.maxMessageBytes,
      });
    } catch (error) {
      release();
      writeRawJsonError(
        socket,
        502,
        `cannot open the WebSocket to cluster "${cluster.name}": ${(error as Error).message}`,
      );
      return;
    }

    let settled = false;
    let relayed = false;
    // Until a relay owns it, the slot is freed when the upstream attempt ends, whichever way it ends.
    upstream.once('close', () => {
      if (!relayed) release();
    });
    const browserGone = () => {
      if (settled) return;
      settled = true;
      release();
      upstream.terminate();
    };
    socket.once('close', browserGone);

    upstream.on('unexpected-response', (clientRequest, answer) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const reply = () => {
        if (settled) return;
        settled = true;
        release();
        clientRequest.destroy();
        const status = answer.statusCode ?? 502;
        const body = Buffer.concat(chunks);
        options.log(`${what}: cluster refused the upgrade with ${status}`);
        if (status >= 300 && status < 400) {
          // Never hand the browser a redirect into the cluster (and never follow one: CVE-2020-8559).
          writeRawJsonError(socket, 502, `cluster "${cluster.name}" answered the upgrade with a redirect (${status})`);
          return;
        }
        writeRawResponse(socket, status, body, String(answer.headers['content-type'] ?? 'application/json'));
      };
      answer.on('data', (chunk: Buffer) => {
        if (size + chunk.length <= MAX_ERROR_BODY) chunks.push(chunk);
        size += chunk.length;
      });
      answer.on('end', reply);
      answer.on('error', reply);
    });

    upstream.on('error', (error: Error) => {
      if (settled) return;
      settled = true;
      release();
      const timedOut = /timed out/i.test(error.message);
      options.log(`${what}: cannot open the cluster WebSocket: ${error.message}`);
      writeRawJsonError(
        socket,
        timedOut ? 504 : 502,
        `cannot open the WebSocket to cluster "${cluster.name}": ${error.message}`,
      );
    });

    // The browser left while the cluster was answering: hang up the fresh shell as a dropped tab would.
    const hangUpUnrelayed = () => {
      if (relayTarget.subresource === 'exec' && relayTarget.tty && relayTarget.stdin) {
        const eot = stdinEotMessage(upstream.protocol);
        upstream.send(eot.data, { binary: eot.binary });
      }
      upstream.close(1001, 'browser connection lost');
    };

    upstream.on('open', () => {
      if (settled || socket.destroyed) {
        settled = true;
        hangUpUnrelayed();
        return;
      }
      settled = true;
      socket.removeListener('close', browserGone);
      chosenProtocol.set(req, upstream.protocol);
      let upgraded = false;
      wss.handleUpgrade(req, socket, head, (browser) => {
        upgraded = true;
        relayed = true;
        const base64 = upstream.protocol.includes('base64');
        let exitCode: number | undefined;
        let recording: ShellRecording | undefined;
        const relay = new Relay(browser, upstream, relayTarget, options.timing, options.limits, {
          onActivity: () => options.sessions.touch(session),
          onFromUpstream: (data: Buffer, isBinary: boolean) => {
            if (audit && isBinary === !base64) exitCode = exitCodeOf(data, base64) ?? exitCode;
            recording?.fromCluster(data);
          },
          onFromBrowser: (data: Buffer) => recording?.fromBrowser(data),
          onEnd: (stats) => {
            recording?.close();
            if (audit && opened)
              audit.log.closed(opened, stats, {
                ...(exitCode !== undefined ? { exitCode } : {}),
                ...(stats.closedBy ? { closedBy: stats.closedBy } : {}),
              });
            release();
            options.relays.delete(relay);
            session.onEnd.delete(endWithSession);
            const b = stats.browserClose;
            const u = stats.upstreamClose;
            options.log(
              `${what} closed: browser ${b?.code ?? '-'}, cluster ${u?.code ?? '-'}; ` +
                `bytes browser→cluster ${stats.bytesFromBrowser}, cluster→browser ${stats.bytesFromUpstream}`,
            );
            options.onRelayEnd?.(stats);
          },
        });
        const who = audit?.whoOf(session) ?? { subject: '', groups: [] };
        try {
          recording = options.recordings?.start(relay.stats.id, relayTarget, who, upstream.protocol);
        } catch (error) {
          options.log(`${what}: cannot record: ${(error as Error).message}`);
        }
        const opened = audit?.log.opened(relay.stats.id, relay.stats.openedAt, {
          target: relayTarget,
          command: request.params.filter(([k]) => k === 'command').map(([, v]) => v),
          protocol: upstream.protocol,
          who,
          ...(recording ? { recording: basename(recording.file) } : {}),
          client: { address: req.socket.remoteAddress ?? '', userAgent: req.headers['user-agent'] ?? '' },
        });
        const endWithSession = (why: string) => relay.shutdown(CLOSE_SESSION_ENDED, why);
        options.relays.add(relay);
        // The session may have ended (logout, expiry) while the cluster was answering.
        if (options.sessions.get(session.id) !== session) relay.shutdown(CLOSE_SESSION_ENDED, 'session ended');
        else session.onEnd.add(endWithSession);
        options.log(`${what} opened (${upstream.protocol || 'no subprotocol'}${relayTarget.tty ? ', tty' : ''})`);
      });
      // ws completes synchronously, or not at all (a half-closed browser socket is destroyed instead).
      if (!upgraded) hangUpUnrelayed();
    });
  };
}
