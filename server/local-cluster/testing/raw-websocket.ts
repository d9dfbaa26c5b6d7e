// A WebSocket client for tests that speaks exact bytes over TLS: it writes the handshake we choose, returns the
// server's response head verbatim, and records every byte after it, so tests can compare with golden transcripts.
import { randomBytes } from 'node:crypto';
import { connect, type TLSSocket } from 'node:tls';
import { encodeFrame, FrameParser, Opcode, type Frame } from '../../../src/k8s/frames.ts';

export interface RawRequest {
  method?: string;
  path: string;
  /** Sec-WebSocket-Protocol value; null leaves the header out. */
  protocols?: string | null;
  key?: string;
  /** Extra or replacement headers (null removes a default one). */
  headers?: Record<string, string | null>;
  /** Only count bytes after the head instead of keeping them (for floods). */
  countOnly?: boolean;
}

export interface ClusterEndpoint {
  server: string;
  caData: string;
  token: string;
}

export class RawWebSocket {
  /** Everything received after the response head. */
  received: Buffer = Buffer.alloc(0);
  /** Bytes received after the head, kept or not. */
  receivedBytes = 0;
  ended = false;
  countOnly = false;
  private readonly parser = new FrameParser({ maxPayload: 64 * 1024 * 1024 });
  readonly frames: Frame[] = [];
  private waiters: Array<() => void> = [];

  private constructor(
    readonly socket: TLSSocket,
    /** The response head, status line to the blank line included, as bytes on the wire. */
    readonly head: string,
  ) {}

  get status(): number {
    return Number(this.head.slice(9, 12));
  }

  /** Body of a non-101 answer (what followed the head before the server closed). */
  get body(): string {
    return this.received.toString('utf8');
  }

  static async open(cluster: ClusterEndpoint, request: RawRequest): Promise<RawWebSocket> {
    const url = new URL(cluster.server);
    const socket = connect({ host: url.hostname, port: Number(url.port), ca: cluster.caData, servername: 'localhost' });
    await new Promise<void>((resolve, reject) => {
      socket.once('secureConnect', () => resolve());
      socket.once('error', reject);
    });
    const headers: Record<string, string | null> = {
      Host: url.host,
      Authorization: `Bearer ${cluster.token}`,
      Connection: 'Upgrade',
      Upgrade: 'websocket',
      'Sec-WebSocket-Key': request.key ?? randomBytes(16).toString('base64'),
      'Sec-WebSocket-Version': '13',
      ...(request.protocols === null ? {} : { 'Sec-WebSocket-Protocol': request.protocols ?? 'v5.channel.k8s.io' }),
      ...request.headers,
    };
    let text = `${request.method ?? 'GET'} ${request.path} HTTP/1.1\r\n`;
    for (const [name, value] of Object.entries(headers)) if (value !== null) text += `${name}: ${value}\r\n`;
    socket.write(`${text}\r\n`);

    let buffer = Buffer.alloc(0);
    const head = await new Promise<string>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        buffer = Buffer.concat([buffer, chunk]);
        const end = buffer.indexOf('\r\n\r\n');
        if (end === -1) return;
        socket.off('data', onData);
        socket.off('end', onEnd);
        resolve(buffer.subarray(0, end + 4).toString('latin1'));
        buffer = buffer.subarray(end + 4);
      };
      const onEnd = () => reject(new Error(`connection closed before a response head: ${buffer.toString()}`));
      socket.on('data', onData);
      socket.on('end', onEnd);
    });
    const ws = new RawWebSocket(socket, head);
    ws.countOnly = request.countOnly ?? false;
    ws.take(buffer);
    socket.on('data', (chunk: Buffer) => ws.take(chunk));
    socket.on('end', () => {
      ws.ended = true;
      ws.wake();
    });
    socket.on('close', () => {
      ws.ended = true;
      ws.wake();
    });
    socket.on('error', () => {});
    return ws;
  }

  private take(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.receivedBytes += chunk.length;
    if (this.countOnly) return this.wake();
    this.received = Buffer.concat([this.received, chunk]);
    if (this.status === 101) this.frames.push(...this.parser.push(chunk));
    this.wake();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Waits until `predicate` holds (checked on every arrival); fails after `timeoutMs` with what arrived. */
  async until(predicate: (ws: RawWebSocket) => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this)) {
      if (this.ended && !predicate(this))
        throw new Error(`connection ended before ${what}; received ${hex(this.received)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; received ${hex(this.received.subarray(0, 400))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 250));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  untilEnded(timeoutMs = 10_000): Promise<void> {
    return this.until((ws) => ws.ended, 'the server to close the connection', timeoutMs);
  }

  /** Sends one masked frame (clients must mask). */
  send(payload: Uint8Array | string, opcode: Opcode = Opcode.Binary, mask: Uint8Array | null = randomBytes(4)): void {
    const bytes = typeof payload === 'string' ? Buffer.from(payload, 'latin1') : payload;
    this.socket.write(mask ? encodeFrame(opcode, bytes, { mask }) : encodeFrame(opcode, bytes));
  }

  /** Data frames' payloads on a channel, concatenated (binary protocols). */
  channel(n: number): Buffer {
    return Buffer.concat(
      this.frames
        .filter((f) => f.opcode === Opcode.Binary && f.payload[0] === n)
        .map((f) => Buffer.from(f.payload.subarray(1))),
    );
  }

  close(): void {
    this.socket.destroy();
  }
}

export const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex').replace(/(..)/g, '$1 ').trim();

/** Parses a hex transcript ("82 01 01 ...", whitespace ignored) into bytes. */
export const fromHex = (text: string) => Buffer.from(text.replace(/\s+/g, ''), 'hex');
