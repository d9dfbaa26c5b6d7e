// A WebSocketLike on top of WebSocketStream (Chromium 124+), for one reason: receive backpressure.
//
// A browser `WebSocket` fires `message` as fast as the network delivers, whatever the page does with it, so a
// flood (`cat` of a big file, `yes`) piles up in page memory (exec-protocol.md §7.3). A WebSocketStream is read
// with a reader: while the page does not read, the browser stops reading the TCP socket, the backend's relay
// sees its browser socket back up and pauses upstream, and the pod's process blocks on its pty — the whole
// chain is paced by how fast xterm.js parses (terminal-performance.md, lesson 4). `pause()`/`resume()` gate
// the read loop; the OutputPacer calls them from xterm's write callbacks.
//
// Where WebSocketStream does not exist, `openChannelSocket` falls back to a plain WebSocket (no pause).
import type { WebSocketLike } from '../k8s/types.ts';

// WebSocketStream is not in TypeScript's DOM library yet: the part of its shape used here.
interface WebSocketStreamOpened {
  readable: ReadableStream<ArrayBuffer | string>;
  writable: WritableStream<ArrayBufferLike | ArrayBufferView | string>;
  protocol: string;
}
interface WebSocketStreamLike {
  readonly opened: Promise<WebSocketStreamOpened>;
  readonly closed: Promise<{ closeCode?: number; reason?: string }>;
  close(info?: { closeCode?: number; reason?: string }): void;
}
type WebSocketStreamConstructor = new (url: string, options?: { protocols?: string[] }) => WebSocketStreamLike;

const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;

type AnyListener = (event: never) => void;

export class StreamSocket implements WebSocketLike {
  binaryType = 'arraybuffer';
  #protocol = '';
  #readyState = CONNECTING;
  #bufferedAmount = 0;
  #stream: WebSocketStreamLike;
  #writer: WritableStreamDefaultWriter<ArrayBufferLike | ArrayBufferView | string> | null = null;
  #listeners = new Map<string, Set<AnyListener>>();
  #paused = false;
  #resumeReading: (() => void) | null = null;
  #closeRequested: { code?: number; reason?: string } | null = null;

  constructor(Stream: WebSocketStreamConstructor, url: string, protocols: readonly string[]) {
    this.#stream = new Stream(url, { protocols: [...protocols] });
    void this.#run();
  }

  get protocol(): string {
    return this.#protocol;
  }

  get readyState(): number {
    return this.#readyState;
  }

  get bufferedAmount(): number {
    return this.#bufferedAmount;
  }

  addEventListener(type: string, listener: AnyListener): void {
    let set = this.#listeners.get(type);
    if (!set) this.#listeners.set(type, (set = new Set()));
    set.add(listener);
  }

  send(data: ArrayBufferLike | ArrayBufferView): void {
    if (this.#readyState !== OPEN || !this.#writer) throw new Error('StreamSocket is not open');
    const size = ArrayBuffer.isView(data) ? data.byteLength : data.byteLength;
    this.#bufferedAmount += size;
    this.#writer.write(data).then(
      () => (this.#bufferedAmount -= size),
      () => (this.#bufferedAmount -= size),
    );
  }

  close(code?: number, reason?: string): void {
    if (this.#readyState >= CLOSING) return;
    this.#readyState = CLOSING;
    this.#closeRequested = { code, reason };
    this.#stream.close({ closeCode: code, reason });
    this.resume();
  }

  /** Stop reading: the browser then stops reading the network, and backpressure reaches the process. */
  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    this.#paused = false;
    const resume = this.#resumeReading;
    this.#resumeReading = null;
    resume?.();
  }

  async #run(): Promise<void> {
    let opened: WebSocketStreamOpened;
    try {
      opened = await this.#stream.opened;
    } catch {
      await this.#finish();
      return;
    }
    this.#protocol = opened.protocol;
    this.#writer = opened.writable.getWriter();
    if (this.#readyState === CONNECTING) this.#readyState = OPEN;
    this.#emit('open', {});
    const reader = opened.readable.getReader();
    try {
      for (;;) {
        if (this.#paused) await new Promise<void>((resolve) => (this.#resumeReading = resolve));
        const { value, done } = await reader.read();
        if (done) break;
        this.#emit('message', { data: value });
      }
    } catch {
      // The stream errored: the connection failed; `closed` says how.
    }
    await this.#finish();
  }

  // `close` is dispatched only after the readable side is drained: everything the server sent before closing
  // (the last output, the exit status) has been delivered by then.
  async #finish(): Promise<void> {
    let code = 1006;
    let reason = '';
    let wasClean = false;
    try {
      const closed = await this.#stream.closed;
      code = closed.closeCode ?? 1005;
      reason = closed.reason ?? '';
      wasClean = true;
    } catch {
      if (this.#closeRequested) {
        code = this.#closeRequested.code ?? 1005;
        reason = this.#closeRequested.reason ?? '';
      }
    }
    this.#readyState = CLOSED;
    this.#emit('close', { code, reason, wasClean });
  }

  #emit(type: string, event: object): void {
    for (const listener of this.#listeners.get(type) ?? []) (listener as (e: object) => void)(event);
  }
}

/** A pausable stream socket when the browser has WebSocketStream, else a plain WebSocket. */
export function openChannelSocket(url: string, protocols: readonly string[]): WebSocketLike & Partial<Pausable> {
  const Stream = (globalThis as { WebSocketStream?: WebSocketStreamConstructor }).WebSocketStream;
  if (Stream && !new URLSearchParams(location.search).has('websocket')) return new StreamSocket(Stream, url, protocols);
  // The DOM's WebSocket has the WebSocketLike members; its addEventListener overloads are just wider.
  return new WebSocket(url, [...protocols]) as unknown as WebSocketLike;
}

export interface Pausable {
  pause(): void;
  resume(): void;
}
