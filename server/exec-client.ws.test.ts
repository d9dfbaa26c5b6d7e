// The Node connector over a real `ws` socket on loopback, against a minimal scripted v5 endpoint: headers and
// subprotocols on the wire, the session's bytes through a real WebSocket, and a refused upgrade's Status.
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { encodeFrame, Opcode, WEBSOCKET_GUID } from '../src/k8s/frames.ts';
import { collectOutput } from '../src/k8s/text.ts';
import { connectExec, UpgradeFailureError } from './exec-client.ts';

const SUCCESS = '{"metadata":{},"status":"Success"}';
let server: Server;
let base: string;
const requests: IncomingMessage[] = [];
const received: Buffer[][] = [];
const upgraded = new Set<Duplex>();

beforeAll(async () => {
  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (offered) => (offered.has('v5.channel.k8s.io') ? 'v5.channel.k8s.io' : false),
  });
  server = createServer();
  server.on('upgrade', (request, socket, head) => {
    upgraded.add(socket);
    requests.push(request);
    if (request.url?.includes('/pods/eager/')) {
      // The 101, the initial frame, output, status and close in one TCP write: nothing may be lost to the
      // caller who attaches its listeners after `await connectExec(...)`.
      const key = String(request.headers['sec-websocket-key']);
      const accept = createHash('sha1')
        .update(key + WEBSOCKET_GUID)
        .digest('base64');
      const frame = (channel: number, text: string) =>
        encodeFrame(Opcode.Binary, new Uint8Array([channel, ...new TextEncoder().encode(text)]));
      socket.end(
        Buffer.concat([
          Buffer.from(
            'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
              `Sec-WebSocket-Accept: ${accept}\r\nSec-WebSocket-Protocol: v5.channel.k8s.io\r\n\r\n`,
          ),
          frame(1, ''),
          frame(1, 'early\n'),
          frame(3, SUCCESS),
          encodeFrame(Opcode.Close, new Uint8Array([0x03, 0xe8])),
        ]),
      );
      return;
    }
    if (request.url?.includes('/pods/nope/')) {
      const body = JSON.stringify({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'pods "nope" not found',
        reason: 'NotFound',
        details: { name: 'nope', kind: 'pods' },
        code: 404,
      });
      socket.end(
        `HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
      );
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => script(ws));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  // Upgraded sockets are no longer the HTTP server's: close them ourselves or close() waits for them.
  for (const socket of upgraded) socket.destroy();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

// Echoes stdin on stdout and ends with Success when stdin is closed, like `cat`.
function script(ws: WebSocket) {
  const messages: Buffer[] = [];
  received.push(messages);
  ws.send(Buffer.from([1]));
  ws.on('message', (data: Buffer) => {
    messages.push(data);
    if (data[0] === 0 && data.length > 1) ws.send(Buffer.concat([Buffer.from([1]), data.subarray(1)]));
    if (data.length === 2 && data[0] === 0xff && data[1] === 0) {
      ws.send(Buffer.concat([Buffer.from([3]), Buffer.from(SUCCESS)]));
      ws.close(1000);
    }
  });
}

describe('connectExec', () => {
  it('delivers output that arrived in the same read as the 101 to listeners attached after it resolves', async () => {
    const session = await connectExec({
      server: base,
      namespace: 'default',
      pod: 'eager',
      subresource: 'exec',
      exec: { command: ['echo', 'early'], stdin: false, stdout: true, stderr: true, tty: false },
    });
    const { stdout, end } = await collectOutput(session);
    expect(stdout).toBe('early\n');
    expect(end.result).toEqual({ kind: 'success' });
  });

  it('runs a cat session over a real WebSocket: stdin, CLOSE, echo, success; token in the header', async () => {
    const session = await connectExec({
      server: base,
      namespace: 'default',
      pod: 'cat',
      subresource: 'exec',
      exec: { command: ['cat'], container: 'main', stdin: true, stdout: true, stderr: true, tty: false },
      token: 'sekret-token',
      keepaliveIntervalMs: 0,
    });
    expect(session.protocol).toBe('v5.channel.k8s.io');
    const output = collectOutput(session);
    session.writeStdin('hi\nthere\n');
    session.closeStdin();
    const { stdout, end } = await output;
    expect(stdout).toBe('hi\nthere\n');
    expect(end).toMatchObject({ result: { kind: 'success' }, closeCode: 1000, dropped: false });
    const request = requests.at(-1)!;
    expect(request.url).toBe(
      '/api/v1/namespaces/default/pods/cat/exec?command=cat&container=main&stderr=true&stdin=true&stdout=true',
    );
    expect(request.headers.authorization).toBe('Bearer sekret-token');
    expect(request.headers['sec-websocket-protocol']).toBe('v5.channel.k8s.io,v4.channel.k8s.io');
    expect(received.at(-1)!.map((m) => [...m])).toEqual([
      [0, ...Buffer.from('hi\nthere\n')],
      [0xff, 0],
    ]);
  });

  it('can carry the token as the bearer subprotocol instead, and sends the initial TTY size', async () => {
    const session = await connectExec({
      server: base + '/',
      namespace: 'default',
      pod: 'tty',
      subresource: 'exec',
      exec: { command: ['sh'], stdin: true, stdout: true, stderr: false, tty: true },
      token: 'sekret-token',
      tokenVia: 'subprotocol',
      initialSize: { width: 100, height: 30 },
      keepaliveIntervalMs: 0,
    });
    const request = requests.at(-1)!;
    expect(request.headers.authorization).toBeUndefined();
    expect(request.headers['sec-websocket-protocol']).toBe(
      'v5.channel.k8s.io,v4.channel.k8s.io,base64url.bearer.authorization.k8s.io.c2VrcmV0LXRva2Vu',
    );
    session.hangUp();
    const end = await session.ended;
    expect(end).toMatchObject({ hungUp: true, dropped: false, result: null });
    expect(received.at(-1)!.map((m) => m.toString('latin1'))).toEqual([
      '\x04{"Width":100,"Height":30}\n',
      '\x00\x15exit\r',
    ]);
  });

  it('rejects a refused upgrade with the API server’s Status', async () => {
    const error = await connectExec({
      server: base,
      namespace: 'default',
      pod: 'nope',
      subresource: 'attach',
      exec: { stdin: true, stdout: true, stderr: false, tty: true },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpgradeFailureError);
    expect(error).toMatchObject({ message: 'pods "nope" not found', statusCode: 404, status: { reason: 'NotFound' } });
  });

  it('rejects (never throws) on a subprotocol no WebSocket may offer', async () => {
    const attempt = connectExec({
      server: base,
      namespace: 'default',
      pod: 'x',
      subresource: 'exec',
      protocols: ['v5.channel.k8s.io', 'base64url.bearer.authorization.k8s.io.YWI='],
      exec: { command: ['true'], stdin: false, stdout: true, stderr: true, tty: false },
    });
    await expect(attempt).rejects.toThrow('An invalid or duplicated subprotocol was specified');
  });

  it('rejects when nothing listens', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await expect(
      connectExec({
        server: `http://127.0.0.1:${port}`,
        namespace: 'default',
        pod: 'x',
        subresource: 'exec',
        exec: { command: ['true'], stdin: false, stdout: true, stderr: true, tty: false },
      }),
    ).rejects.toThrow(/ECONNREFUSED/);
  });
});
