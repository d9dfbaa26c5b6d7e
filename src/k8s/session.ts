// One exec or attach session over the Kubernetes channel protocol (v5.channel.k8s.io, or the legacy
// v4.channel.k8s.io), on any WebSocketLike: the browser's WebSocket or the `ws` package. The wire rules come
// from exec-protocol.md §2 and from what kubectl does; each rule below says which.
import { goJsonSyntaxError, goQuote } from './go-json.ts';
import { decodeErrorChannel } from './status.ts';
import {
  Channel,
  CHANNEL_PROTOCOLS,
  type ChannelProtocol,
  type ExecResult,
  type SessionEnd,
  type StreamingSubresource,
  type TerminalSize,
  type WebSocketLike,
} from './types.ts';

/** Largest message we send, channel byte included: the servers never reassemble fragments (§2.1). */
export const MAX_MESSAGE_BYTES = 32 * 1024;
/** Data-level keepalive period (§3.3): below the common 60 s proxy idle timeouts. */
export const DEFAULT_KEEPALIVE_MS = 30_000;
/**
 * Typed on a deliberate hang-up of a TTY exec (§7.7): Ctrl-U clears a half-typed line (the tty's kill
 * character and readline's unix-line-discard), then `exit` + Enter (raw-mode Enter is `\r`) ends the shell.
 */
export const HANG_UP_KEYS = '\x15exit\r';

const OPEN = 1;

export interface IntervalTimers {
  setInterval(callback: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export interface ExecSessionOptions {
  subresource: StreamingSubresource;
  /** Must match the `stdin` / `tty` query parameters the socket was opened with. */
  stdin: boolean;
  tty: boolean;
  /** Sent as soon as the socket opens (TTY only), without waiting for the first frame, as kubectl does. */
  initialSize?: TerminalSize;
  /** 0 disables the keepalive. */
  keepaliveIntervalMs?: number;
  /** Injectable for tests; defaults to the global timers. */
  timers?: IntervalTimers;
}

export interface ExecSessionEvents {
  /** The upgrade completed with a protocol we speak. */
  open: (protocol: ChannelProtocol) => void;
  /** The first server message arrived (normally the empty initial frame `82 01 01`). */
  connected: () => void;
  /** Raw output bytes; multi-byte characters may be split across calls (see text.ts for decoding). */
  stdout: (bytes: Uint8Array) => void;
  stderr: (bytes: Uint8Array) => void;
  /** A complete channel-3 Status arrived; the command is over even if the close comes late. */
  status: (result: ExecResult) => void;
  /** The WebSocket closed; always the last event. */
  end: (end: SessionEnd) => void;
}

type Listeners = { [K in keyof ExecSessionEvents]: Array<ExecSessionEvents[K]> };

export class ExecSession {
  /** Resolves once, when the WebSocket has closed. */
  readonly ended: Promise<SessionEnd>;
  private resolveEnded!: (end: SessionEnd) => void;
  private readonly listeners: Listeners = {
    open: [],
    connected: [],
    stdout: [],
    stderr: [],
    status: [],
    end: [],
  };
  private negotiated: ChannelProtocol | null = null;
  private state: 'connecting' | 'open' | 'ended' = 'connecting';
  private opened = false;
  private connected = false;
  private stdinOpen: boolean;
  private stdinCloseQueued = false;
  private queued: Uint8Array[] = [];
  private size: TerminalSize | null = null;
  private sizeSent = false;
  private errorChannel: Uint8Array[] = [];
  private statusResult: ExecResult | null = null;
  private protocolError: ExecResult | null = null;
  private hungUp = false;
  private keepalive: unknown = null;
  private readonly timers: IntervalTimers;

  constructor(
    private readonly socket: WebSocketLike,
    private readonly options: ExecSessionOptions,
  ) {
    this.ended = new Promise((resolve) => (this.resolveEnded = resolve));
    this.stdinOpen = options.stdin;
    this.timers = options.timers ?? {
      setInterval: (callback, ms) => globalThis.setInterval(callback, ms),
      clearInterval: (handle) => globalThis.clearInterval(handle as ReturnType<typeof globalThis.setInterval>),
    };
    if (options.initialSize) this.resize(options.initialSize);
    // All handlers are registered before any event can fire (cf. client-go's start-up race, §7.1).
    socket.binaryType = 'arraybuffer';
    socket.addEventListener('open', () => this.handleOpen());
    socket.addEventListener('message', (event) => this.handleMessage(event.data));
    socket.addEventListener('close', (event) => this.handleClose(event.code, event.reason));
    socket.addEventListener('error', () => {
      // Always followed by a close event, which carries what we report.
    });
    if (socket.readyState === OPEN) this.handleOpen();
    else if (socket.readyState > OPEN) this.handleClose(1006, '');
  }

  /** The negotiated subprotocol, once open. */
  get protocol(): ChannelProtocol | null {
    return this.negotiated;
  }

  /** True when end-of-stdin can be signalled (v5 only; v4 has no CLOSE message). */
  get canCloseStdin(): boolean {
    return this.negotiated === 'v5.channel.k8s.io' && this.stdinOpen;
  }

  /** Bytes queued in the socket and not yet sent (to pace very large pastes). */
  get bufferedAmount(): number {
    return this.socket.bufferedAmount;
  }

  /** The latest verdict: a channel-3 result or a protocol error; null while the command runs. */
  get result(): ExecResult | null {
    return this.protocolError ?? this.statusResult;
  }

  on<K extends keyof ExecSessionEvents>(event: K, listener: ExecSessionEvents[K]): () => void {
    const list = this.listeners[event] as Array<ExecSessionEvents[K]>;
    list.push(listener);
    return () => {
      const i = list.indexOf(listener);
      if (i >= 0) list.splice(i, 1);
    };
  }

  /**
   * Sends stdin (a string is UTF-8 encoded) in order, split into messages of at most MAX_MESSAGE_BYTES. Data
   * written before the socket opens is queued. Returns false when it cannot be delivered any more (stdin
   * closed, session ended or failed).
   */
  writeStdin(data: Uint8Array | string): boolean {
    if (!this.options.stdin) throw new Error('this session was opened without stdin');
    if (!this.stdinOpen || this.state === 'ended' || this.protocolError || this.hungUp) return false;
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    const chunk = MAX_MESSAGE_BYTES - 1;
    for (let offset = 0; offset < bytes.length; offset += chunk) {
      const part = bytes.subarray(offset, Math.min(offset + chunk, bytes.length));
      const message = new Uint8Array(1 + part.length);
      message[0] = Channel.Stdin;
      message.set(part, 1);
      this.send(message);
    }
    return true;
  }

  /**
   * Sends the v5 end-of-stdin signal, exactly `FF 00` (§2.4). Returns false when it cannot: stdin not open, or
   * a v4 session (which has no such signal). Before the socket opens the signal is queued behind the stdin
   * data, and dropped if the server then picks v4.
   */
  closeStdin(): boolean {
    if (!this.stdinOpen || this.state === 'ended' || this.protocolError || this.hungUp) return false;
    if (this.state === 'connecting') {
      this.stdinOpen = false;
      this.stdinCloseQueued = true;
      return true;
    }
    if (this.negotiated !== 'v5.channel.k8s.io') return false;
    this.stdinOpen = false;
    this.send(new Uint8Array([Channel.Close, Channel.Stdin]));
    return true;
  }

  /**
   * Asks the remote TTY to take a new size (channel 4). Ignored — returns false — on non-TTY sessions (a
   * resize there can wedge the server, §2.5), for sizes outside 1…65535 or not numbers, and for an unchanged
   * size. Before the socket opens the size is remembered and sent on open.
   */
  resize(size: TerminalSize): boolean {
    if (!this.options.tty || this.state === 'ended') return false;
    const width = Math.floor(size.width);
    const height = Math.floor(size.height);
    if (!(width >= 1 && width <= 0xffff && height >= 1 && height <= 0xffff)) return false;
    if (this.size && this.size.width === width && this.size.height === height) return false;
    this.size = { width, height };
    if (this.state === 'open') this.sendSize();
    return true;
  }

  /**
   * Ends the session on purpose. A TTY exec first types HANG_UP_KEYS so the remote shell exits instead of
   * lingering (§7.7); a non-TTY exec with stdin first sends the v5 CLOSE; an attach only closes (ending the
   * container's main process is never our call). Then closes with 1000.
   */
  hangUp(): void {
    if (this.state === 'ended' || this.hungUp) return;
    this.hungUp = true;
    this.stopKeepalive();
    if (this.state === 'open' && !this.protocolError && this.options.subresource === 'exec' && this.stdinOpen) {
      if (this.options.tty) this.sendStdinNow(new TextEncoder().encode(HANG_UP_KEYS));
      else if (this.negotiated === 'v5.channel.k8s.io') this.send(new Uint8Array([Channel.Close, Channel.Stdin]));
    }
    this.socket.close(1000);
  }

  private handleOpen(): void {
    if (this.state !== 'connecting') return;
    this.opened = true;
    const protocol = this.socket.protocol;
    if (!(CHANNEL_PROTOCOLS as readonly string[]).includes(protocol)) {
      // client-go's wording (transport/websocket RoundTrip) for a server that picked something else.
      const offered = CHANNEL_PROTOCOLS.map((p) => goQuote(p)).join(' ');
      this.fail(`invalid protocol, expected one of [${offered}], got ${goQuote(protocol)}`);
      this.queued = [];
      return;
    }
    this.negotiated = protocol as ChannelProtocol;
    this.state = 'open';
    // The size goes first, before anything a listener might send, as kubectl's does.
    if (this.size) this.sendSize();
    const queued = this.queued;
    this.queued = [];
    for (const message of queued) this.send(message);
    if (this.stdinCloseQueued && this.negotiated === 'v5.channel.k8s.io') {
      this.send(new Uint8Array([Channel.Close, Channel.Stdin]));
    }
    const interval = this.options.keepaliveIntervalMs ?? DEFAULT_KEEPALIVE_MS;
    if (interval > 0) this.keepalive = this.timers.setInterval(() => this.sendKeepalive(), interval);
    this.emit('open', this.negotiated);
  }

  private handleMessage(data: unknown): void {
    if (this.state === 'ended' || this.protocolError) return;
    let bytes: Uint8Array;
    if (typeof data === 'string') {
      // kubectl: "error reading from error stream: unexpected message type: 1" (§2.1, G7).
      return this.fail('error reading from error stream: unexpected message type: 1');
    } else if (ArrayBuffer.isView(data)) {
      bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    } else if (Object.prototype.toString.call(data) === '[object ArrayBuffer]') {
      bytes = new Uint8Array(data as ArrayBuffer);
    } else {
      return this.fail('binary messages must arrive as ArrayBuffer (binaryType "arraybuffer")');
    }
    if (bytes.length === 0) {
      // A message without even a channel byte: kubectl fails with "read stream id: EOF" (G7).
      return this.fail('error reading from error stream: read stream id: EOF');
    }
    if (!this.connected) {
      this.connected = true;
      this.emit('connected');
    }
    const payload = bytes.subarray(1);
    if (payload.length === 0) return; // the initial frame, or any empty write: a no-op (§2.3)
    switch (bytes[0]) {
      case Channel.Stdout:
        return this.emit('stdout', payload);
      case Channel.Stderr:
        return this.emit('stderr', payload);
      case Channel.Error:
        return this.receiveStatus(payload);
      default:
      // kubectl logs "Unknown stream id N, discarding message" and carries on.
    }
  }

  // client-go reads the whole error stream until the connection ends and decodes it once; we decode as soon
  // as the bytes so far form complete JSON (to report an exit before a late close) and again at the end.
  private receiveStatus(payload: Uint8Array): void {
    this.errorChannel.push(payload);
    const bytes = concat(this.errorChannel);
    if (goJsonSyntaxError(bytes) !== null) return;
    const first = this.statusResult === null;
    this.statusResult = decodeErrorChannel(bytes);
    if (first) this.emit('status', this.statusResult);
  }

  private handleClose(code: number, reason: string): void {
    if (this.state === 'ended') return;
    this.state = 'ended';
    this.stopKeepalive();
    let result = this.protocolError;
    if (!result && this.errorChannel.length > 0) result = decodeErrorChannel(concat(this.errorChannel));
    // No status and a clean close is success, as in kubectl (§2.6 rule 5) — unless we are the ones who closed.
    if (!result && !this.hungUp && code === 1000) result = { kind: 'success' };
    const end: SessionEnd = {
      result,
      closeCode: code,
      closeReason: reason,
      dropped: result === null && !this.hungUp,
      opened: this.opened,
      hungUp: this.hungUp,
    };
    this.emit('end', end);
    this.resolveEnded(end);
  }

  private fail(message: string): void {
    this.protocolError = { kind: 'protocol-error', message };
    this.stopKeepalive();
    // Browsers only allow 1000 or 3000–4999 here; the server answers any close with 1000 anyway.
    this.socket.close(1000);
  }

  private sendSize(): void {
    const size = this.size!;
    if (!this.sizeSent && this.options.subresource === 'attach' && size.width < 0xffff && size.height < 0xffff) {
      // kubectl attach sends size+1 first so the attached program redraws even if the size did not change.
      this.send(resizeMessage({ width: size.width + 1, height: size.height + 1 }));
    }
    this.sizeSent = true;
    this.send(resizeMessage(size));
  }

  private sendKeepalive(): void {
    if (this.state !== 'open' || this.protocolError || this.hungUp) return;
    // Re-sending an unchanged size raises no SIGWINCH; an empty stdin write is a no-op for the process.
    if (this.options.tty && this.size) this.send(resizeMessage(this.size));
    else if (this.stdinOpen) this.send(new Uint8Array([Channel.Stdin]));
  }

  private stopKeepalive(): void {
    if (this.keepalive !== null) this.timers.clearInterval(this.keepalive);
    this.keepalive = null;
  }

  private sendStdinNow(bytes: Uint8Array): void {
    const message = new Uint8Array(1 + bytes.length);
    message.set(bytes, 1);
    this.send(message);
  }

  private send(message: Uint8Array): void {
    if (this.state === 'connecting') this.queued.push(message);
    else if (this.state === 'open' && this.socket.readyState === OPEN) this.socket.send(message);
  }

  // A throwing listener must not stop the others or leave the session half-updated (e.g. `ended` never
  // resolving): its error is rethrown on its own, where the host reports uncaught errors.
  private emit<K extends keyof ExecSessionEvents>(event: K, ...args: Parameters<ExecSessionEvents[K]>): void {
    for (const listener of [...this.listeners[event]]) {
      try {
        (listener as (...a: typeof args) => void)(...args);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}

/** Channel 4 exactly as kubectl writes it: Go's json.Encoder output of TerminalSize, PascalCase, newline. */
export function resizeMessage(size: TerminalSize): Uint8Array {
  const json = `{"Width":${size.width},"Height":${size.height}}\n`;
  const message = new Uint8Array(1 + json.length);
  message[0] = Channel.Resize;
  for (let i = 0; i < json.length; i++) message[i + 1] = json.charCodeAt(i);
  return message;
}

function concat(chunks: Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}
