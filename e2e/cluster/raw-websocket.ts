// A byte-level WebSocket client for recording exactly what the apiserver answers on exec/attach: the raw 101
// head and every frame, with nothing in between that could normalise them.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import { encodeFrame, FrameParser, Opcode, WEBSOCKET_GUID } from '../../src/k8s/frames.ts';
import type { HarnessReady } from './harness.ts';

export interface CapturedFrame {
  opcode: number;
  /** Channel byte of a binary frame (the k8s channel protocols), else undefined. */
  channel?: number;
  /** The payload after the channel byte, as text. */
  text: string;
}

export interface Capture {
  /** Response head lines, without the final empty line. */
  head: string[];
  expectedAccept: string;
  frames: CapturedFrame[];
  closeCode?: number;
}

export interface Sender {
  channel(channel: number, data: string | Uint8Array): void;
  /** Starts the closing handshake from the client side. */
  close(code: number): void;
}

/** Where to connect and how to authenticate: a client certificate or a bearer token. */
export interface Target {
  server: string;
  ca: string | Buffer;
  cert?: Buffer;
  key?: Buffer;
  token?: string;
}

/** The harness's apiserver, as its admin (client certificate). */
export function harnessTarget(ready: HarnessReady): Target {
  return {
    server: ready.server,
    ca: readFileSync(ready.caFile),
    cert: readFileSync(ready.adminCertFile),
    key: readFileSync(ready.adminKeyFile),
  };
}

/** Opens `path` on the server, offering `protocols`; `onOpen` may send frames; resolves on close. */
export function captureExec(
  target: Target | HarnessReady,
  path: string,
  protocols: string[],
  onOpen?: (send: Sender) => void,
  timeoutMs = 20_000,
): Promise<Capture> {
  const to = 'caFile' in target ? harnessTarget(target) : target;
  const url = new URL(to.server);
  const key = randomBytes(16).toString('base64');
  const expectedAccept = createHash('sha1')
    .update(key + WEBSOCKET_GUID)
    .digest('base64');
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      host: url.hostname,
      port: Number(url.port),
      ca: to.ca,
      cert: to.cert,
      key: to.key,
    });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no close within ${timeoutMs} ms; frames so far: ${JSON.stringify(capture.frames)}`));
    }, timeoutMs);
    const capture: Capture = { head: [], expectedAccept, frames: [] };
    let pending = Buffer.alloc(0);
    let headRead = false;
    let closeSent = false;
    const parser = new FrameParser();
    const send = (opcode: Opcode, payload: Uint8Array) =>
      socket.write(encodeFrame(opcode, payload, { mask: randomBytes(4) }));
    socket.on('secureConnect', () => {
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: ${url.host}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
          `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Protocol: ${protocols.join(', ')}\r\n` +
          (to.token ? `Authorization: Bearer ${to.token}\r\n` : '') +
          '\r\n',
      );
    });
    socket.on('data', (chunk: Buffer) => {
      let data: Uint8Array = chunk;
      if (!headRead) {
        pending = Buffer.concat([pending, chunk]);
        const end = pending.indexOf('\r\n\r\n');
        if (end < 0) return;
        capture.head = pending.subarray(0, end).toString('latin1').split('\r\n');
        headRead = true;
        data = pending.subarray(end + 4);
        if (!capture.head[0]?.includes(' 101 ')) {
          // Not upgraded: keep the body as one text "frame" for the record.
          capture.frames.push({ opcode: -1, text: '' });
        } else {
          onOpen?.({
            channel(channel, payload) {
              const bytes = typeof payload === 'string' ? Buffer.from(payload) : payload;
              send(Opcode.Binary, Buffer.concat([Buffer.from([channel]), bytes]));
            },
            close(code) {
              closeSent = true;
              send(Opcode.Close, new Uint8Array([code >> 8, code & 0xff]));
            },
          });
        }
      }
      if (!capture.head[0]?.includes(' 101 ')) {
        if (data.length) capture.frames[0]!.text += Buffer.from(data).toString('utf8');
        // A refused upgrade is an ordinary HTTP response on a kept-alive connection: stop once the body is in.
        const length = Number(header(capture, 'content-length') ?? NaN);
        if (Buffer.byteLength(capture.frames[0]!.text) >= length) socket.end();
        return;
      }
      for (const frame of parser.push(new Uint8Array(data))) {
        if (frame.opcode === Opcode.Close) {
          capture.closeCode = frame.payload.length >= 2 ? (frame.payload[0]! << 8) | frame.payload[1]! : undefined;
          if (!closeSent) send(Opcode.Close, frame.payload.subarray(0, 2));
          closeSent = true;
          socket.end();
          continue;
        }
        if (frame.opcode === Opcode.Ping) {
          send(Opcode.Pong, frame.payload);
          continue;
        }
        const binary = frame.opcode === Opcode.Binary;
        capture.frames.push({
          opcode: frame.opcode,
          channel: binary ? frame.payload[0] : undefined,
          text: Buffer.from(binary ? frame.payload.subarray(1) : frame.payload).toString('utf8'),
        });
      }
    });
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(capture);
    });
  });
}

/** A response header's value (case-insensitive name). */
export function header(capture: Capture, name: string): string | undefined {
  const prefix = `${name.toLowerCase()}:`;
  const line = capture.head.find((l) => l.toLowerCase().startsWith(prefix));
  return line?.slice(prefix.length).trim();
}

/** Consecutive frames of one channel joined: pipes and PTYs split output at arbitrary points. */
export function byChannel(frames: CapturedFrame[]): Array<[number | undefined, string]> {
  const out: Array<[number | undefined, string]> = [];
  for (const f of frames) {
    const last = out[out.length - 1];
    if (last && last[0] === f.channel && f.channel !== 3 && last[1] !== '') last[1] += f.text;
    else out.push([f.channel, f.text]);
  }
  return out;
}
