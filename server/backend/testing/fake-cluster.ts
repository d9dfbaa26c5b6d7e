// Test-only: a tiny kube-apiserver stand-in over TLS. It counts TCP connections and records every request and
// every WebSocket frame, answers the few REST calls the pass-through relays, refuses like the apiserver does
// (401/404 Status before the upgrade), negotiates subprotocols like the v5 translator, and hands each accepted
// exec/attach WebSocket to the test to script.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { WebSocketServer, type WebSocket } from 'ws';
import type { TestCertificates } from './tls.ts';

export interface FakeFrame {
  data: Buffer;
  isBinary: boolean;
}

export interface FakeSession {
  ws: WebSocket;
  url: string;
  headers: IncomingMessage['headers'];
  protocol: string;
  received: FakeFrame[];
  closed: Promise<{ code: number; reason: string }>;
}

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  upgrade: boolean;
  clientCertCN?: string;
  /** The request body (REST only), once it has been read. */
  body?: Buffer;
}

export interface FakeCluster {
  url: string;
  /** TCP connections accepted so far. */
  readonly connections: number;
  requests: RecordedRequest[];
  sessions: FakeSession[];
  /** Called for every accepted exec/attach WebSocket. */
  onSession: (session: FakeSession) => void;
  /** Awaited before answering an upgrade with 101 (to hold a handshake open). */
  beforeUpgrade: () => Promise<void>;
  close(): Promise<void>;
}

function status(code: number, reason: string, message: string): string {
  return JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
}

export async function startFakeCluster(options: {
  certs: TestCertificates;
  /** Accepted bearer token; undefined accepts anything (and records it). */
  token?: string;
  requestClientCert?: boolean;
}): Promise<FakeCluster> {
  let connections = 0;
  const sockets = new Set<Socket>();
  const wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    maxPayload: 64 * 1024 * 1024,
    // Like the apiserver's translator: v5 whenever offered, else the first legacy protocol offered.
    handleProtocols: (offered) => {
      if (offered.has('v5.channel.k8s.io')) return 'v5.channel.k8s.io';
      for (const p of offered) if (p.startsWith('v4.') || p.endsWith('channel.k8s.io')) return p;
      return false;
    },
  });
  const fake: FakeCluster = {
    url: '',
    get connections() {
      return connections;
    },
    requests: [],
    sessions: [],
    onSession: () => {},
    beforeUpgrade: () => Promise.resolve(),
    close: async () => {
      for (const s of fake.sessions) s.ws.terminate();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  const authorized = (req: IncomingMessage) =>
    options.token === undefined || req.headers.authorization === `Bearer ${options.token}`;

  const record = (req: IncomingMessage, upgrade: boolean): RecordedRequest => {
    const cert = (req.socket as TLSSocket).getPeerCertificate?.();
    const entry: RecordedRequest = {
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      upgrade,
      ...(cert && cert.subject ? { clientCertCN: String(cert.subject.CN) } : {}),
    };
    fake.requests.push(entry);
    return entry;
  };

  const server: Server = createServer(
    {
      cert: options.certs.certPem,
      key: options.certs.keyPem,
      ca: options.certs.caPem,
      requestCert: options.requestClientCert ?? false,
      rejectUnauthorized: false,
    },
    (req, res) => {
      const entry = record(req, false);
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        entry.body = Buffer.concat(chunks);
        answer(req, res, entry.body);
      });
    },
  );
  const answer = (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    {
      const send = (code: number, body: string) => {
        res.writeHead(code, { 'Content-Type': 'application/json' });
        res.end(body);
      };
      if (!authorized(req)) return send(401, status(401, 'Unauthorized', 'Unauthorized'));
      const path = (req.url ?? '').split('?')[0] ?? '';
      if (path === '/api/v1/namespaces/default/pods/slow') return; // never answers
      if (path === '/api/v1/namespaces/default/pods/huge') {
        return send(200, JSON.stringify({ kind: 'Pod', padding: 'x'.repeat(2 * 1024 * 1024) }));
      }
      if (path === '/api/v1/namespaces/default/pods/html') {
        res.writeHead(502, { 'Content-Type': 'text/html' });
        return res.end('<html>bad gateway</html>');
      }
      // The debugging writes: a RBAC-style refusal for pod "forbidden", else what the apiserver would answer.
      if (req.method === 'PATCH' && /\/pods\/[^/]+\/ephemeralcontainers$/.test(path)) {
        if (path.includes('/pods/forbidden/')) {
          return send(
            403,
            status(
              403,
              'Forbidden',
              'pods "forbidden" is forbidden: User "alice" cannot patch resource "pods/ephemeralcontainers" in API group "" in the namespace "default"',
            ),
          );
        }
        return send(200, JSON.stringify({ kind: 'Pod', apiVersion: 'v1', metadata: { name: path.split('/')[6] } }));
      }
      if (req.method === 'POST' && /^\/api\/v1\/namespaces\/[^/]+\/pods$/.test(path)) {
        const pod = JSON.parse(body.toString('utf8')) as { metadata?: { name?: string; generateName?: string } };
        const name = pod.metadata?.name ?? `${pod.metadata?.generateName ?? ''}x7k2q`;
        return send(201, JSON.stringify({ ...pod, metadata: { ...pod.metadata, name, uid: `uid-of-${name}` } }));
      }
      if (req.method === 'DELETE') {
        return send(200, JSON.stringify({ kind: 'Pod', apiVersion: 'v1', metadata: { name: path.split('/')[5] } }));
      }
      const pod = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)(\/(exec|attach))?$/.exec(path);
      if (pod?.[2] === 'missing') return send(404, status(404, 'NotFound', 'pods "missing" not found'));
      if (pod?.[3]) return send(400, status(400, 'BadRequest', 'Upgrade request required'));
      if (pod) return send(200, JSON.stringify({ kind: 'Pod', apiVersion: 'v1', metadata: { name: pod[2] } }));
      if (path === '/api/v1/namespaces') {
        return send(
          200,
          JSON.stringify({ kind: 'NamespaceList', apiVersion: 'v1', items: [{ metadata: { name: 'default' } }] }),
        );
      }
      if (path === '/api/v1/pods' || /^\/api\/v1\/namespaces\/[^/]+\/pods$/.test(path)) {
        return send(200, JSON.stringify({ kind: 'PodList', apiVersion: 'v1', items: [] }));
      }
      send(404, status(404, 'NotFound', 'the server could not find the requested resource'));
    }
  };
  server.on('connection', (socket: Socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    record(req, true);
    const refuse = (code: number, text: string, body: string) => {
      socket.end(
        `HTTP/1.1 ${code} ${text}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
    };
    if (!authorized(req)) return refuse(401, 'Unauthorized', status(401, 'Unauthorized', 'Unauthorized'));
    const path = (req.url ?? '').split('?')[0] ?? '';
    if (/\/pods\/missing\//.test(path))
      return refuse(404, 'Not Found', status(404, 'NotFound', 'pods "missing" not found'));
    if (/\/pods\/noprotocol\//.test(path)) {
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n'); // the CRI server's answer to no acceptable subprotocol
      return;
    }
    void fake.beforeUpgrade().then(() =>
      wss.handleUpgrade(req, socket, head, (ws) => {
        const received: FakeFrame[] = [];
        ws.on('message', (data: Buffer, isBinary: boolean) => received.push({ data, isBinary }));
        const closed = new Promise<{ code: number; reason: string }>((resolve) =>
          ws.on('close', (code: number, reason: Buffer) => resolve({ code, reason: reason.toString() })),
        );
        const session: FakeSession = {
          ws,
          url: req.url ?? '',
          headers: req.headers,
          protocol: ws.protocol,
          received,
          closed,
        };
        fake.sessions.push(session);
        fake.onSession(session);
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  fake.url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}
