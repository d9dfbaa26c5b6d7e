// The adapter that lets @xterm/addon-attach drive a Kubernetes channel session.
//
// The attach addon expects a WebSocket carrying raw terminal bytes: it listens for `message` (and writes
// `event.data` to the terminal), `close` and `error`, and calls `send` with what the person types. A channel
// session is not that socket: its frames carry a channel byte, resize has its own channel, and exit status
// arrives on channel 3. So this object presents only the terminal stream of a session as a WebSocket:
//   - `send(text | bytes)` → the session's stdin (the client chunks to ≤ 32 KiB, §7.5);
//   - output from the session → a `message` event with an ArrayBuffer, paced by an OutputPacer so xterm.js is
//     never handed more than it has parsed (the addon writes without a callback, so the pacer waits on an empty
//     `terminal.write('', callback)` queued behind each chunk: xterm runs write callbacks in order);
//   - the session's end → `close`, dispatched only after every byte of output has been handed over, because the
//     addon disposes its listeners on `close`.
import { OutputPacer, type OutputPacerOptions } from './outputPacer.ts';

const EMPTY = new Uint8Array(0);

export interface StdinSink {
  sendStdin(data: string | Uint8Array): void;
}

export interface TerminalWriter {
  write(data: string | Uint8Array, callback?: () => void): void;
}

type Listener = (event: { data?: unknown; code?: number; reason?: string; wasClean?: boolean }) => void;
type EventType = 'open' | 'message' | 'close' | 'error';

export class ChannelSocket {
  // The numeric states of the WebSocket interface: the attach addon compares `readyState` with WebSocket.OPEN.
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;

  /** The attach addon sets this to 'arraybuffer'; output is always delivered as an ArrayBuffer. */
  binaryType = 'arraybuffer';
  protocol = '';
  readonly url: string;
  #readyState = ChannelSocket.CONNECTING;
  #listeners = new Map<EventType, Set<Listener>>();
  #sink: StdinSink;
  #pacer: OutputPacer;
  #onClose: () => void;

  constructor(
    url: string,
    sink: StdinSink,
    terminal: TerminalWriter,
    onClose: () => void,
    flow?: Pick<OutputPacerOptions, 'pause' | 'resume' | 'highWater' | 'lowWater'>,
  ) {
    this.url = url;
    this.#sink = sink;
    this.#onClose = onClose;
    this.#pacer = new OutputPacer({
      ...flow,
      deliver: (chunk) => this.#dispatch('message', { data: toArrayBuffer(chunk) }),
      afterParsed: (parsed) => terminal.write(EMPTY, parsed),
    });
  }

  get readyState(): number {
    return this.#readyState;
  }

  get bufferedAmount(): number {
    return 0;
  }

  get pacer(): OutputPacer {
    return this.#pacer;
  }

  addEventListener(type: EventType, listener: Listener): void {
    let set = this.#listeners.get(type);
    if (!set) this.#listeners.set(type, (set = new Set()));
    set.add(listener);
  }

  removeEventListener(type: EventType, listener: Listener): void {
    this.#listeners.get(type)?.delete(listener);
  }

  send(data: string | ArrayBufferLike | ArrayBufferView | Blob): void {
    if (this.#readyState !== ChannelSocket.OPEN) return;
    if (typeof data === 'string') this.#sink.sendStdin(data);
    else if (data instanceof Blob) throw new TypeError('ChannelSocket does not send Blobs');
    else if (ArrayBuffer.isView(data))
      this.#sink.sendStdin(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    else this.#sink.sendStdin(new Uint8Array(data));
  }

  /** Closing the socket is closing the session on purpose (a tab closed): the owner hangs up. */
  close(): void {
    if (this.#readyState >= ChannelSocket.CLOSING) return;
    this.#readyState = ChannelSocket.CLOSING;
    this.#onClose();
  }

  // --- driven by the session ---

  opened(protocol: string): void {
    this.protocol = protocol;
    this.#readyState = ChannelSocket.OPEN;
    this.#dispatch('open', {});
  }

  output(bytes: Uint8Array): void {
    this.#pacer.push(bytes);
  }

  /** The session ended: let the addon write everything that arrived, then tell it the stream is closed. */
  async ended(code: number, reason: string): Promise<void> {
    this.#readyState = ChannelSocket.CLOSING;
    await this.#pacer.whenIdle();
    this.#readyState = ChannelSocket.CLOSED;
    this.#dispatch('close', { code, reason, wasClean: code === 1000 });
  }

  #dispatch(type: EventType, event: Parameters<Listener>[0]): void {
    for (const listener of this.#listeners.get(type) ?? []) listener(event);
  }
}

function toArrayBuffer(chunk: Uint8Array): ArrayBuffer {
  if (chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength && chunk.buffer instanceof ArrayBuffer) {
    return chunk.buffer;
  }
  return chunk.slice().buffer;
}
