// The relay at the byte level, with no WebSocket library on either end: a raw upstream that answers like
// x/net/websocket (exact 101 of exec-protocol.md §1.6) and a raw browser socket. Every message must cross as
// exactly one unfragmented frame of the same type; the browser's 101 carries upstream's protocol and no
// extension. (A library peer would reassemble fragments and hide a re-fragmenting relay.)

import { createHash } from 'node:crypto';
import { connect as connectTcp, type Socket } from 'node:net';
import { createServer, type Server } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeFrame, FrameParser, Opcode, WEBSOCKET_GUID, type Frame } from '../../src/k8s/frames.ts';
import { startPorthole, type Porthole } from './server.ts';
import { writeDist } from './testing/harness.ts';
import { makeTestCertificates } from './testing/tls.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface RawPeer {
  frames: Frame[];
  write(frame: Uint8Array): void;
  waitFrames(n: number): Promise<void>;
}

function rawPeer(socket: Socket, requireMask: boolean): RawPeer {
  const parser = new FrameParser({ maxPayload: 64 * 1024 * 1024, requireMask });
  const frames: Frame[] = [];
  let waiters: Array<() => void> = [];
  const peer: RawPeer = {
    frames,
    write: (frame) => socket.write(frame),
    waitFrames: (n) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (frames.filter((f) => f.opcode !== Opcode.Ping).length >= n) resolve();
          else waiters.push(check);
        };
        socket.once('close', () => reject(new Error(`socket closed with ${frames.length} frames`)));
        check();
      }),
  };
  return Object.assign(peer, {
    feed(chunk: Buffer) {
      frames.push(...parser.push(new Uint8Array(chunk)));
      const w = waiters;
      waiters = [];
      for (const f of w) f();
    },
  });
}

const accept = (key: string) =>
  createHash('sha1')
    .update(key + WEBSOCKET_GUID)
    .digest('base64');
const mask = () => new Uint8Array([0x37, 0xfa, 0x21, 0x3d]);

let upstreamServer: Server;
let upstreamPeer: Promise<RawPeer & { feed(c: Buffer): void }>;
let porthole: Porthole;
let dir: string;
let origin: string;
let cookie: string;

beforeAll(async () => {
  const certs = makeTestCertificates();
  let resolvePeer!: (p: RawPeer & { feed(c: Buffer): void }) => void;
  upstreamPeer = new Promise((resolve) => (resolvePeer = resolve));
  upstreamServer = createServer({ cert: certs.certPem, key: certs.keyPem }, (socket) => {
    let head = '';
    const onData = (chunk: Buffer) => {
      head += chunk.toString('latin1');
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onData);
      const key = /sec-websocket-key: *(\S+)/i.exec(head)?.[1] ?? '';
      // Exactly the four headers x/net writes (§1.6), v5 as the translator always answers.
      socket.write(
        'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
          `Sec-WebSocket-Accept: ${accept(key)}\r\nSec-WebSocket-Protocol: v5.channel.k8s.io\r\n\r\n`,
      );
      const peer = rawPeer(socket, true) as RawPeer & { feed(c: Buffer): void };
      const rest = Buffer.from(head.slice(end + 4), 'latin1');
      if (rest.length) peer.feed(rest);
      socket.on('data', (c: Buffer) => peer.feed(c));
      resolvePeer(peer);
    };
    socket.on('data', onData);
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => upstreamServer.listen(0, '127.0.0.1', () => resolve()));
  const server = `https://127.0.0.1:${(upstreamServer.address() as AddressInfo).port}`;
  dir = mkdtempSync(join(tmpdir(), 'porthole-wire-'));
  porthole = await startPorthole({
    port: 0,
    distDir: writeDist(dir),
    log: () => {},
    clusters: [
      {
        name: 'raw',
        server,
        local: false,
        upstream: () => Promise.resolve({ server, tls: { ca: certs.caPem, rejectUnauthorized: true }, headers: {} }),
      },
    ],
  });
  origin = porthole.url.replace(/\/$/, '');
  const login = await fetch(`${origin}/porthole/api/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Origin: origin },
    body: JSON.stringify({ token: porthole.loginToken }),
  });
  cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
});

afterAll(async () => {
  await porthole.close();
  upstreamServer.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the relay on the wire', () => {
  it('one message → one unfragmented frame of the same type, both ways; the 101 is upstream’s protocol, no extension', async () => {
    const { hostname, port } = new URL(origin);
    const browser = connectTcp({ host: hostname, port: Number(port) });
    const key = 'dGhlIHNhbXBsZSBub25jZQ==';
    browser.write(
      'GET /clusters/raw/api/v1/namespaces/default/pods/shell/exec?command=sh&stdin=true&stdout=true&tty=true HTTP/1.1\r\n' +
        `Host: ${hostname}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n` +
        `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Protocol: v4.channel.k8s.io, v5.channel.k8s.io\r\n` +
        `Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\nOrigin: ${origin}\r\nCookie: ${cookie}\r\n\r\n`,
    );
    const browserPeer = rawPeer(browser, false) as RawPeer & { feed(c: Buffer): void };
    const head = await new Promise<string>((resolve) => {
      let text = '';
      const onData = (chunk: Buffer) => {
        text += chunk.toString('latin1');
        const end = text.indexOf('\r\n\r\n');
        if (end < 0) return;
        browser.off('data', onData);
        const rest = Buffer.from(text.slice(end + 4), 'latin1');
        if (rest.length) browserPeer.feed(rest);
        browser.on('data', (c: Buffer) => browserPeer.feed(c));
        resolve(text.slice(0, end));
      };
      browser.on('data', onData);
    });
    const lines = head.split('\r\n');
    expect(lines[0]).toBe('HTTP/1.1 101 Switching Protocols');
    expect(lines).toContain(`Sec-WebSocket-Accept: ${accept(key)}`);
    expect(lines).toContain('Sec-WebSocket-Protocol: v5.channel.k8s.io');
    expect(head.toLowerCase()).not.toContain('sec-websocket-extensions');

    const upstream = await upstreamPeer;
    const big = new Uint8Array(1024 * 1024 + 1).map((_, i) => (i * 13) & 0xff);
    big[0] = 1;
    upstream.write(encodeFrame(Opcode.Binary, new Uint8Array([1])));
    upstream.write(encodeFrame(Opcode.Binary, big));
    upstream.write(encodeFrame(Opcode.Text, new TextEncoder().encode('1aGVsbG8K')));
    const stdin = new Uint8Array(40_000).fill(0x78);
    stdin[0] = 0;
    browser.write(encodeFrame(Opcode.Binary, stdin, { mask: mask() }));
    browser.write(encodeFrame(Opcode.Text, new TextEncoder().encode('0bHMN'), { mask: mask() }));
    browser.write(encodeFrame(Opcode.Binary, new Uint8Array([0xff, 0x00]), { mask: mask() }));

    await browserPeer.waitFrames(3);
    await upstream.waitFrames(3);
    const data = (frames: Frame[]) => frames.filter((f) => f.opcode !== Opcode.Ping && f.opcode !== Opcode.Pong);
    expect(data(browserPeer.frames).map((f) => [f.fin, f.opcode, f.masked, f.payload.length])).toEqual([
      [true, Opcode.Binary, false, 1],
      [true, Opcode.Binary, false, big.length],
      [true, Opcode.Text, false, 9],
    ]);
    expect(Buffer.from(data(browserPeer.frames)[1]?.payload ?? []).equals(Buffer.from(big))).toBe(true);
    expect(data(upstream.frames).map((f) => [f.fin, f.opcode, f.masked, f.payload.length])).toEqual([
      [true, Opcode.Binary, true, 40_000],
      [true, Opcode.Text, true, 5],
      [true, Opcode.Binary, true, 2],
    ]);
    expect(Buffer.from(data(upstream.frames)[0]?.payload ?? []).equals(Buffer.from(stdin))).toBe(true);
    expect(Buffer.from(data(upstream.frames)[2]?.payload ?? []).toString('hex')).toBe('ff00');

    // Upstream ends as x/net does: close 1000 with no reason, then TCP close at once.
    upstream.write(encodeFrame(Opcode.Close, new Uint8Array([0x03, 0xe8])));
    await browserPeer.waitFrames(4);
    const close = data(browserPeer.frames)[3];
    expect(close?.opcode).toBe(Opcode.Close);
    expect(Buffer.from(close?.payload ?? []).toString('hex')).toBe('03e8');
    browser.destroy();
  });
});
