// Node connector: opens a real exec/attach WebSocket with the `ws` package and hands it to src/k8s's
// ExecSession. Used by the tests against the local cluster and by command-line tools; the browser app uses
// its own WebSocket and never sees a cluster credential.
import type { IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import { bearerTokenProtocol } from '../src/k8s/auth.ts';
import { ExecSession, type ExecSessionOptions } from '../src/k8s/session.ts';
import {
  CHANNEL_PROTOCOLS,
  type ExecOptions,
  type StreamingSubresource,
  type WebSocketLike,
} from '../src/k8s/types.ts';
import { streamingPath } from '../src/k8s/url.ts';

export interface ExecClientOptions {
  /** `https://host:port`, optionally with a path prefix (e.g. a Porthole backend's `/clusters/local`). */
  server: string;
  namespace: string;
  pod: string;
  subresource: StreamingSubresource;
  exec: ExecOptions;
  /** PEM of the CA to trust for the server's certificate. */
  caData?: string;
  /** Skip certificate verification (loopback tests only). */
  insecureSkipTLSVerify?: boolean;
  /** PEM client certificate and key (kubeconfig `client-certificate-data` / `client-key-data`). */
  certData?: string;
  keyData?: string;
  token?: string;
  /** How the bearer token travels: the Authorization header (default) or the §4.1 subprotocol. */
  tokenVia?: 'header' | 'subprotocol';
  /** Offered subprotocols, best first; default v5 then v4. */
  protocols?: readonly string[];
  /** Extra request headers (e.g. Origin and Cookie towards a Porthole backend). */
  headers?: Record<string, string>;
  initialSize?: ExecSessionOptions['initialSize'];
  keepaliveIntervalMs?: number;
  handshakeTimeoutMs?: number;
}

/** The upgrade was answered with something other than 101: the HTTP status and, when there is one, the Status. */
export class UpgradeFailureError extends Error {
  constructor(
    message: string,
    readonly statusCode: number,
    readonly body: string,
    /** The metav1.Status of the response body, when it is one. */
    readonly status: { message?: string; reason?: string; code?: number } | null,
  ) {
    super(message);
    this.name = 'UpgradeFailureError';
  }
}

/**
 * Opens the session and resolves once the upgrade succeeded (the session has already sent its initial resize
 * by then); output that arrived with the 101 waits for listeners attached right after the `await`. Rejects with UpgradeFailureError on a non-101 answer and with the transport's error otherwise.
 */
export async function connectExec(options: ExecClientOptions): Promise<ExecSession> {
  const base = options.server.replace(/\/+$/, '').replace(/^http(s?):/, 'ws$1:');
  const url = base + streamingPath(options.namespace, options.pod, options.subresource, options.exec);
  const protocols = [...(options.protocols ?? CHANNEL_PROTOCOLS)];
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) {
    if (options.tokenVia === 'subprotocol') protocols.push(bearerTokenProtocol(options.token));
    else headers.Authorization = `Bearer ${options.token}`;
  }
  const socket = new WebSocket(url, protocols, {
    headers,
    perMessageDeflate: false, // never negotiated by Kubernetes servers anyway (§2.1)
    handshakeTimeout: options.handshakeTimeoutMs ?? 30_000,
    ...(options.caData ? { ca: options.caData } : {}),
    ...(options.insecureSkipTLSVerify ? { rejectUnauthorized: false } : {}),
    ...(options.certData && options.keyData ? { cert: options.certData, key: options.keyData } : {}),
  });
  // ws's EventTarget surface matches WebSocketLike at run time; its declared listener types are narrower.
  const session = new ExecSession(socket as unknown as WebSocketLike, {
    subresource: options.subresource,
    stdin: options.exec.stdin,
    tty: options.exec.tty,
    ...(options.initialSize ? { initialSize: options.initialSize } : {}),
    ...(options.keepaliveIntervalMs !== undefined ? { keepaliveIntervalMs: options.keepaliveIntervalMs } : {}),
  });
  return new Promise((resolve, reject) => {
    let failure: Error | null = null;
    socket.on('unexpected-response', (_request, response: IncomingMessage) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        failure = upgradeFailure(response.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'));
        socket.terminate();
      });
    });
    socket.on('error', (error) => (failure ??= error));
    session.on('open', () => {
      // Frames that came in the same read as the 101 are delivered right after 'open', before the caller's
      // `await` resumes: hold the socket until the caller has had its turn to attach listeners.
      socket.pause();
      resolve(session);
      setImmediate(() => socket.resume());
    });
    session.ended.then((end) => {
      if (!end.opened) reject(failure ?? new Error(`the WebSocket closed with ${end.closeCode} before it opened`));
      else if (end.result?.kind === 'protocol-error' && session.protocol === null)
        reject(new Error(end.result.message));
    });
  });
}

function upgradeFailure(statusCode: number, body: string): UpgradeFailureError {
  let status: UpgradeFailureError['status'] = null;
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed === 'object' && parsed !== null && (parsed as { kind?: unknown }).kind === 'Status') {
      status = parsed as NonNullable<UpgradeFailureError['status']>;
    }
  } catch {
    // Not JSON: keep the raw body in the message.
  }
  const message =
    status?.message ?? `Unexpected server response: ${statusCode}${body.trim() ? `: ${body.trim()}` : ''}`;
  return new UpgradeFailureError(message, statusCode, body, status);
}
